"""/metrics is read only where configured, and its operation series are not the client's to
name: free-text operation names share one series, registered documents get their own."""

from __future__ import annotations

import httpx

from api.persisted import sha256
from quanzi.bootstrap import Runtime
from quanzi.settings import Environment
from tests.conftest import configured_api


async def test_metrics_are_served_in_development_and_in_production_only_with_the_token(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    assert (await client.get("/metrics")).status_code == 200  # development and tests
    async with configured_api(runtime, env=Environment.PRODUCTION) as (_, production):
        assert (await production.get("/metrics")).status_code == 404
    async with configured_api(runtime, env=Environment.PRODUCTION, metrics_token="s3cret") as (
        _,
        guarded,
    ):
        assert (await guarded.get("/metrics")).status_code == 401
        wrong = await guarded.get("/metrics", headers={"Authorization": "Bearer s3cre"})
        assert wrong.status_code == 401
        right = await guarded.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert right.status_code == 200 and "quanzi_http_requests_total" in right.text


async def test_free_text_operation_names_cannot_fill_the_operation_series(
    client: httpx.AsyncClient,
) -> None:
    for n in range(320):
        await client.post("/graphql", json={"query": f"query Filler{n} {{ __typename }}"})
    registered = "query RegisteredAfterTheFlood { __typename }"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(registered)}}
    await client.post("/graphql", json={"query": registered, "extensions": extensions})
    await client.post("/graphql", json={"extensions": extensions})
    body = (await client.get("/metrics")).text
    assert "Filler" not in body
    assert 'operation="other"' in body
    assert (
        'quanzi_graphql_operation_duration_seconds_count{operation="RegisteredAfterTheFlood"} 2.0'
        in body
    )
