"""/metrics for Prometheus: request counts and latencies by route and status.

Each API process keeps its own counters; scrape every process (or run one per container)."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

REQUESTS = Counter(
    "quanzi_http_requests_total", "HTTP requests answered", ["method", "path", "status"]
)
LATENCY = Histogram(
    "quanzi_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "path"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
KNOWN_PATHS = frozenset({"/graphql", "/healthz", "/metrics"})


def observe(method: str, path: str, status: int, seconds: float) -> None:
    # Unknown paths share one label so that scanners cannot grow the series without bound.
    label = path if path in KNOWN_PATHS else "other"
    REQUESTS.labels(method, label, str(status)).inc()
    LATENCY.labels(method, label).observe(seconds)


async def metrics(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
