"""GraphQL over GET the way Apollo's `useGETForHashedQueries` sends it: persisted queries
only, queries only, with cache headers a CDN can act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from api.ids import to_global_id
from api.persisted import sha256
from domain.models import PostLike
from quanzi.bootstrap import Runtime
from quanzi.tools.persisted_manifest import build_manifest, graphql_files
from tests.conftest import configured_api
from tests.contract import CONTRACT_DIR, operation
from tests.factories import make_post, make_user, token_for

LATEST = (
    "query Latest($first: Int) { feed(kind: LATEST, first: $first) { edges { node { body } } } }"
)
PUBLIC = "public, max-age=30, stale-while-revalidate=60"


def _hashed(digest: str, variables: dict[str, Any] | None = None, **more: str) -> dict[str, str]:
    """The query string Apollo's HttpLink writes for a hashed query."""
    params = {
        "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}}),
        **more,
    }
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return params


async def test_apq_over_get_misses_then_hits_with_public_cache_headers(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await make_post(await make_user(), "可以缓存的帖子")
    params = _hashed(sha256(LATEST), {"first": 3}, operationName="Latest")
    miss = await client.get("/graphql", params=params)
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert miss.headers["cache-control"] == "no-store"
    # Apollo then sends text and hash by POST, whose answers are never stored.
    registered = await client.post(
        "/graphql",
        json={
            "query": LATEST,
            "variables": {"first": 3},
            "extensions": json.loads(params["extensions"]),
        },
    )
    assert registered.json()["data"]["feed"]["edges"] == [{"node": {"body": "可以缓存的帖子"}}]
    assert registered.headers["cache-control"] == "no-store"
    hit = await client.get("/graphql", params=params)
    assert hit.json() == registered.json()
    assert hit.headers["cache-control"] == PUBLIC
    assert hit.headers["vary"] == "Accept-Language, Authorization"
    # Signed in: the answer is the member's own.
    token = token_for(runtime, await make_user())
    private = await client.get(
        "/graphql", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert private.json() == registered.json()
    assert private.headers["cache-control"] == "private, no-store"
    # An answer with errors is not stored either.
    wrong = await client.get("/graphql", params={**params, "variables": '{"first": "many"}'})
    assert wrong.json()["errors"] and wrong.headers["cache-control"] == "no-store"
    negative = await client.get("/graphql", params={**params, "variables": '{"first": -1}'})
    assert negative.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert negative.headers["cache-control"] == "no-store"


async def test_get_runs_no_mutation_and_no_query_text(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    member = await make_user()
    headers = {"Authorization": f"Bearer {token_for(runtime, member)}", "Accept-Language": "en"}
    post_id = to_global_id("Post", (await make_post(await make_user())).id)
    like = operation("LikePost")
    # Kept by a POST that runs it signed out (and so likes nothing).
    kept = await client.post(
        "/graphql",
        json={
            "query": like,
            "variables": {"postId": post_id},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(like)}},
        },
    )
    assert kept.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    mutation = await client.get(
        "/graphql", params=_hashed(sha256(like), {"postId": post_id}), headers=headers
    )
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert mutation.headers["cache-control"] == "no-store"
    assert mutation.json()["errors"][0] == {
        "message": "Only queries run over GET; send mutations and subscriptions by POST.",
        "extensions": {"code": "METHOD_NOT_ALLOWED"},
    }
    assert await PostLike.filter(user_id=member.id).count() == 0
    text = await client.get("/graphql", params={"query": "{ viewer { id } }"})
    assert text.status_code == 405 and text.headers["allow"] == "POST"
    assert text.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "GET 请求只能执行已登记的查询" in text.json()["errors"][0]["message"]
    bare = await client.get("/graphql", headers={"Accept": "application/json"})
    assert bare.status_code == 405
    unstorable = await client.get("/graphql", params=_hashed(sha256(LATEST), {"first": "\u0000"}))
    assert unstorable.status_code == 400
    assert unstorable.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_browser_still_gets_graphiql_outside_production(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "cache-control" not in page.headers
    # A hashed query from a client that accepts anything is a query, not a page.
    miss = await client.get("/graphql", params=_hashed("c" * 64), headers={"Accept": "*/*"})
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_long_query_string_is_refused_like_a_large_body(client: httpx.AsyncClient) -> None:
    params = _hashed(sha256(LATEST), {"first": 1, "padding": "x" * 9000})
    refused = await client.get("/graphql", params=params, headers={"Accept-Language": "en"})
    assert refused.status_code == 414
    assert refused.headers["cache-control"] == "no-store"
    assert refused.json() == {
        "errors": [
            {
                "message": "The request's query string is too long (at most 8 KB);"
                " send it by POST.",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }


async def test_registered_documents_over_get(runtime: Runtime, tmp_path: Path) -> None:
    """Allow-list mode with Apollo's manifest: the manifest's ids by extensions, a codegen
    client's by documentId; a mutation of the manifest still needs POST."""
    manifest = build_manifest(graphql_files([CONTRACT_DIR / "app.graphql"]))
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    ids = {o["name"]: o["id"] for o in manifest["operations"]}
    await make_post(await make_user(), "清单里的帖子")
    async with configured_api(runtime, persisted_queries_dir=tmp_path) as (_, client):
        variables = {"kind": "LATEST", "first": 2}
        by_hash = await client.get(
            "/graphql", params=_hashed(ids["Feed"], variables, operationName="Feed")
        )
        edges = by_hash.json()["data"]["feed"]["edges"]
        assert edges[0]["node"]["body"] == "清单里的帖子"
        assert by_hash.headers["cache-control"] == PUBLIC
        by_id = await client.get(
            "/graphql",
            params={"documentId": f"sha256:{ids['Feed']}", "variables": json.dumps(variables)},
        )
        assert by_id.json() == by_hash.json()
        unknown = await client.get("/graphql", params={"documentId": "d" * 64})
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        assert unknown.headers["cache-control"] == "no-store"
        like = await client.get("/graphql", params={"documentId": ids["LikePost"]})
        assert like.status_code == 405
        assert like.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
