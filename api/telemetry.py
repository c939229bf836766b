"""/metrics for Prometheus: request counts and latencies by route and status, GraphQL
operation latencies and errors by operation and code.

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
# Operation names are the client's choice: only this many distinct ones get their own
# series, the rest share "other", so a client cannot grow the series without bound.
MAX_OPERATIONS = 300
_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if name in _operations:
        return name
    if len(name) <= 64 and name.isascii() and name.replace("_", "").isalnum():
        if len(_operations) < MAX_OPERATIONS:
            _operations.add(name)
            return name
    return "other"


def observe_operation(name: str | None, seconds: float, codes: list[str]) -> None:
    label = operation_label(name)
    OPERATION_LATENCY.labels(label).observe(seconds)
    for code in codes:
        OPERATION_ERRORS.labels(label, code).inc()


def observe(method: str, path: str, status: int, seconds: float) -> None:
    # Unknown paths share one label so that scanners cannot grow the series without bound.
    label = path if path in KNOWN_PATHS else "other"
    REQUESTS.labels(method, label, str(status)).inc()
    LATENCY.labels(method, label).observe(seconds)


async def metrics(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
