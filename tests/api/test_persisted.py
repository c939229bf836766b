"""Persisted queries: automatic (hash first, text on a miss) and the production allow-list."""

from __future__ import annotations

import time

import httpx

from api.persisted import MAX_DOCUMENTS, REGISTRATIONS_PER_HOUR, sha256
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


async def _register(client: httpx.AsyncClient, text: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": text, "extensions": _persisted(sha256(text))}
    )


async def _kept(client: httpx.AsyncClient, text: str) -> bool:
    hit = await client.post("/graphql", json={"extensions": _persisted(sha256(text))})
    codes = [e["extensions"]["code"] for e in hit.json().get("errors") or []]
    return "PERSISTED_QUERY_NOT_FOUND" not in codes


async def test_only_small_documents_that_parse_and_validate_are_kept(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    unparsable = "this is not graphql " + "x" * 100
    unknown_field = "query Nope { viewer { passwordHash } }"
    oversized = "query Padded { viewer { id } }\n" + "# padding\n" * 1_000  # 10 KB, few tokens
    too_broad = "{" + " viewer{id}" * 300 + " }"
    for text in (unparsable, unknown_field, oversized, too_broad):
        answered = await _register(client, text)
        assert answered.status_code in (200, 400), text[:40]
        assert not await _kept(client, text), text[:40]
    assert [k async for k in runtime.redis.scan_iter(match=runtime.store.key("apq", "*"))] == []
    assert (await _register(client, VIEWER)).json()["data"] == {"viewer": None}
    assert await _kept(client, VIEWER)


async def test_registrations_are_limited_per_sender_and_in_all(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    documents = [f"query Probe{i} {{ viewer {{ id }} }}" for i in range(REGISTRATIONS_PER_HOUR + 5)]
    for text in documents:
        assert (await _register(client, text)).json()["data"] == {"viewer": None}
    kept = [await _kept(client, text) for text in documents]
    assert kept == [True] * REGISTRATIONS_PER_HOUR + [False] * 5
    # Registering a kept document again only refreshes it.
    assert (await _register(client, documents[0])).status_code == 200 and await _kept(
        client, documents[0]
    )
    # Another sender, with the store full of documents that have not expired: nothing kept.
    await runtime.redis.delete(runtime.store.key("apq", "by", "127.0.0.1"))
    index = runtime.store.key("apq", "index")
    filler = {f"{n:064x}": time.time() + 3600 for n in range(MAX_DOCUMENTS)}
    await runtime.redis.zadd(index, filler)
    late = "query Late { viewer { id } }"
    assert (await _register(client, late)).json()["data"] == {"viewer": None}
    assert not await _kept(client, late)
    assert await runtime.redis.zcard(index) <= MAX_DOCUMENTS + REGISTRATIONS_PER_HOUR
