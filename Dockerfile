# The production image: the same `quanzi` command as everywhere else.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gcc and headers: lightfm-next builds from source.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY quanzi ./quanzi
COPY api ./api
COPY domain ./domain
COPY adapters ./adapters
COPY recommend ./recommend
COPY jobs ./jobs
RUN pip install .

# var/ holds uploaded images (without S3) and trained recommender models; the compose file
# mounts volumes there, which take this ownership.
RUN useradd --create-home --uid 10001 quanzi \
    && mkdir -p /app/var/media /app/var/models \
    && chown -R quanzi /app/var
USER quanzi

ENV QUANZI_ENV=production
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["quanzi", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
