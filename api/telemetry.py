"""/metrics for Prometheus: request counts and latencies by route and status, GraphQL
operation latencies and errors by operation and code.

`quanzi serve --workers N` (N > 1) runs prometheus_client's multiprocess mode: each worker
writes its counters to files in one directory and a scrape, whichever worker answers it, adds
up every worker's (`shared_by_workers`). Separate containers are scraped one by one.
Who may read them: `metrics_endpoint`. Which operation names get a series of their own:
those of registered documents (the allow-list, kept persisted queries), `know_operations`."""

from __future__ import annotations

import contextlib
import hmac
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

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
OPERATION_LATENCY = Histogram(
    "quanzi_graphql_operation_duration_seconds",
    "Time to run a GraphQL operation (parse, validate, execute)",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
OPERATION_ERRORS = Counter(
    "quanzi_graphql_errors_total",
    "GraphQL errors answered, by operation and code",
    ["operation", "code"],
)
# Operation names are the client's choice: only those of documents the server registered
# get their own series (at most this many), the rest share "other", so a client sending free
# text cannot grow the series, or crowd out the real ones.
MAX_OPERATIONS = 300
_operations: set[str] = set()


def know_operations(names: Iterable[str]) -> None:
    """Give these operation names (of a registered document) their own series."""
    for name in names:
        if len(_operations) >= MAX_OPERATIONS:
            return
        if len(name) <= 64 and name.isascii() and name.replace("_", "").isalnum():
            _operations.add(name)


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    return name if name in _operations else "other"


# Series looked up once each: prometheus_client's `labels` takes a lock and makes the text of
# every label again on each call, and a request records two or three. Their labels are
# bounded (HTTP methods as the parser knows them, the paths and operations above, statuses).
@lru_cache(maxsize=1024)
def _series(metric: Counter | Histogram, *labels: str) -> Any:
    return metric.labels(*labels)


def observe_operation(name: str | None, seconds: float, codes: list[str]) -> None:
    label = operation_label(name)
    _series(OPERATION_LATENCY, label).observe(seconds)
    for code in codes:
        _series(OPERATION_ERRORS, label, code).inc()


def count_errors(name: str | None, codes: list[str]) -> None:
    """Errors of an operation refused before it ran (no latency to record)."""
    label = operation_label(name)
    for code in codes:
        _series(OPERATION_ERRORS, label, code).inc()


def observe(method: str, path: str, status: int, seconds: float) -> None:
    # Unknown paths share one label so that scanners cannot grow the series without bound.
    label = path if path in KNOWN_PATHS else "other"
    _series(REQUESTS, method, label, str(status)).inc()
    _series(LATENCY, method, label).observe(seconds)


@contextlib.contextmanager
def shared_by_workers(workers: int) -> Iterator[None]:
    """Around `quanzi serve` with several workers: each writes its metrics to files in one
    directory of this run's own, and /metrics adds up every worker's (prometheus_client's
    multiprocess mode), so a scrape answered by any worker counts them all. The directory
    goes when the server stops; an operator's PROMETHEUS_MULTIPROC_DIR is used as it is."""
    if workers < 2 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="quanzi-metrics-") as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # the workers start after this
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


def _registry() -> CollectorRegistry:
    """Every worker's metrics (several workers: multiprocess mode), or this process's."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def metrics_endpoint(
    token: str | None, *, open_without_token: bool
) -> Callable[[Request], Awaitable[Response]]:
    """/metrics: with a token, only for `Authorization: Bearer <token>`; without one, for
    anyone where `open_without_token` (development), for nobody otherwise (a 404, as if
    there were no such page)."""
    expected = f"Bearer {token}".encode() if token else None

    async def metrics(request: Request) -> Response:
        if expected is None and not open_without_token:
            return PlainTextResponse("Not Found", status_code=404)
        if expected is not None:
            sent = request.headers.get("authorization", "").encode("latin-1")
            if not hmac.compare_digest(sent, expected):
                return PlainTextResponse(
                    "Unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
                )
        return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)

    return metrics
