"""Persisted queries: automatic (hash first, text on a miss) and the production allow-list."""

from __future__ import annotations

import httpx

from api.persisted import sha256
from quanzi.bootstrap import Runtime
from tests.conftest import configured_api
from tests.contract import CONTRACT_DIR
from tests.factories import make_user, token_for

VIEWER = "query Probe { viewer { id nickname } }"


def _persisted(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_a_hash_alone_misses_once_then_runs_from_redis(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    member = await make_user(nickname="小明")
    headers = {"Authorization": f"Bearer {token_for(runtime, member)}"}
    digest = sha256(VIEWER)
    miss = await client.post("/graphql", json={"extensions": _persisted(digest)}, headers=headers)
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await client.post(
        "/graphql", json={"query": VIEWER, "extensions": _persisted(digest)}, headers=headers
    )
    assert registered.json()["data"]["viewer"]["nickname"] == "小明"
    hit = await client.post("/graphql", json={"extensions": _persisted(digest)}, headers=headers)
    assert hit.json()["data"]["viewer"]["nickname"] == "小明"
    # A text that does not hash to what it claims is refused and not stored.
    forged = await client.post(
        "/graphql",
        json={"query": "{ __typename }", "extensions": _persisted("0" * 64)},
        headers=headers,
    )
    assert forged.status_code == 400
    assert forged.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    again = await client.post("/graphql", json={"extensions": _persisted("0" * 64)})
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    malformed = await client.post(
        "/graphql", json={"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "x"}}}
    )
    assert malformed.status_code == 400


async def test_with_an_allow_list_only_registered_documents_run(runtime: Runtime) -> None:
    member = await make_user(nickname="小红")
    headers = {"Authorization": f"Bearer {token_for(runtime, member)}"}
    app_document = (CONTRACT_DIR / "app.graphql").read_text(encoding="utf-8")
    async with configured_api(runtime, persisted_queries_dir=CONTRACT_DIR) as (_, client):
        ok = await client.post(
            "/graphql",
            json={"operationName": "Viewer", "extensions": _persisted(sha256(app_document))},
            headers=headers,
        )
        assert ok.json()["data"]["viewer"]["nickname"] == "小红", ok.text
        free_text = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
        assert free_text.status_code == 400
        assert free_text.json()["errors"][0]["extensions"]["code"] == (
            "PERSISTED_QUERY_NOT_SUPPORTED"
        )
        unknown = await client.post(
            "/graphql",
            json={"query": VIEWER, "extensions": _persisted(sha256(VIEWER))},
            headers=headers,
        )
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
