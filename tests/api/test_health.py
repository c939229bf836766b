"""/healthz tells a load balancer whether this API can serve."""

from __future__ import annotations

import dataclasses

import httpx
from redis.asyncio import Redis

from adapters.redis import Store
from api.app import create_app
from api.persisted import sha256
from quanzi.bootstrap import Runtime


async def test_healthz_is_ok_when_postgres_and_redis_answer(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "postgres": "ok", "redis": "ok"}


async def test_healthz_is_503_and_names_redis_when_redis_is_down(runtime: Runtime) -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    broken = dataclasses.replace(runtime, store=Store(dead, runtime.store.prefix))
    transport = httpx.ASGITransport(app=create_app(runtime=broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://q.test") as client:
        response = await client.get("/healthz")
    await dead.aclose()
    assert response.status_code == 503
    assert response.json()["redis"].startswith("down")
    assert response.json()["postgres"] == "ok"


async def test_metrics_count_requests_by_path_and_status(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": "{ viewer { id } }"})
    await client.get("/no-such-page")
    body = (await client.get("/metrics")).text
    assert 'quanzi_http_requests_total{method="POST",path="/graphql",status="200"}' in body
    assert 'path="/no-such-page"' not in body
    assert 'quanzi_http_requests_total{method="GET",path="other",status="404"}' in body


async def test_metrics_time_each_operation_and_count_its_errors_by_code(
    client: httpx.AsyncClient,
) -> None:
    # A registered (persisted) document's operation gets a series of its own.
    probe = "query MetricsProbe { viewer { id } }"
    registered = {"persistedQuery": {"version": 1, "sha256Hash": sha256(probe)}}
    await client.post("/graphql", json={"query": probe, "extensions": registered})
    await client.post(
        "/graphql",
        json={"extensions": registered},
        headers={"Authorization": "Bearer not-a-token"},
    )
    await client.post("/graphql", json={"query": "query " + "X" * 100 + " { viewer { id } }"})
    body = (await client.get("/metrics")).text
    # The bad token is refused before the operation runs: counted as an error, not timed.
    assert 'quanzi_graphql_operation_duration_seconds_count{operation="MetricsProbe"} 1.0' in body
    assert 'quanzi_graphql_errors_total{code="UNAUTHENTICATED",operation="MetricsProbe"}' in body
    assert "X" * 100 not in body  # odd names share the "other" series
