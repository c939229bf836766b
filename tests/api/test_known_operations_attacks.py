"""Attacks on known operations (api/known_operations.py) and on the documents' budget
(api/documents.py), through HTTP as clients send them: a known text must answer what the long
way answers (a fresh app's answer, or the same app's first), and nothing derived from a
document may keep one the budget has let go."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import Token, TokenKind

from api import posts
from api.app import create_app
from api.compiled import leaves, plans
from api.documents import DOCUMENTS
from api.persisted import sha256
from quanzi.bootstrap import Runtime
from quanzi.settings import Environment
from tests.conftest import Api, error_codes
from tests.factories import make_post, make_user, token_for

LATEST = (
    "query Latest($first: Int) { feed(kind: LATEST, first: $first) { edges { node { body } } } }"
)
TWO = (
    "query Latest($first: Int) { feed(kind: LATEST, first: $first) { edges { node { body } } } }\n"
    "mutation Like($id: ID!) { likePost(postId: $id) { post { likeCount } } }"
)
ONE_POST = "query One($id: ID!) { post(id: $id) { id body } }"


class _App:
    def __init__(self, built: Any, client: httpx.AsyncClient) -> None:
        self.api = Api(client)
        self.client = client
        route = next(r for r in built.routes if getattr(r, "path", "") == "/graphql")
        self.known = route.endpoint.schema.known_operations


async def _apps(runtime: Runtime, count: int = 2, **settings: object) -> AsyncIterator[list[_App]]:
    configured = runtime.settings.model_copy(update=settings)
    clients, apps = [], []
    for _ in range(count):
        built = create_app(settings=configured, runtime=runtime)
        transport = httpx.ASGITransport(app=built)
        client = httpx.AsyncClient(transport=transport, base_url="http://quanzi.test")
        clients.append(client)
        apps.append(_App(built, client))
    try:
        yield apps
    finally:
        for client in clients:
            await client.aclose()


@pytest.fixture
async def two(runtime: Runtime) -> AsyncIterator[list[_App]]:
    async for apps in _apps(runtime):
        yield apps


def _same(first: httpx.Response, second: httpx.Response) -> None:
    assert second.status_code == first.status_code
    assert second.content == first.content
    for header in ("content-type", "cache-control", "vary", "retry-after", "www-authenticate"):
        assert second.headers.get(header) == first.headers.get(header), header


async def _post(app: _App, body: dict[str, Any], token: str | None = None, **headers: str) -> Any:
    sent = {"X-Request-ID": "attack-1", **headers}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return await app.client.post("/graphql", json=body, headers=sent)


async def test_get_persisted_then_post_then_get_answer_the_same(
    runtime: Runtime, two: list[_App]
) -> None:
    """Registered by POST (APQ), then hash-only GET and POST: known after the first; every
    answer the same as a fresh app's long way, cache headers included."""
    await make_post(await make_user(), "可以缓存的帖子")
    app, fresh = two
    ext = {"persistedQuery": {"version": 1, "sha256Hash": sha256(LATEST)}}
    register = {"query": LATEST, "variables": {"first": 3}, "extensions": ext}
    first = await _post(app, register)
    assert app.known.get(LATEST, None) is not None
    _same(first, await _post(app, register))
    params = {"extensions": json.dumps(ext), "variables": json.dumps({"first": 3})}
    gets = [await app.client.get("/graphql", params=params) for _ in range(2)]
    assert gets[0].headers["cache-control"].startswith("public")
    _same(gets[0], gets[1])
    hashed = await _post(app, {"extensions": ext, "variables": {"first": 3}})
    _same(first, hashed)
    # a fresh app (same Redis) answers the hash-only GET the long way: the same
    fresh_get = await fresh.client.get("/graphql", params=params)
    _same(fresh_get, gets[1])


@pytest.mark.parametrize("name", [None, "Latest", "Like", "", "Nope"])
async def test_two_operations_named_or_not(runtime: Runtime, two: list[_App], name: Any) -> None:
    """A document with a query and a mutation: every operation name (omitted, either,
    empty, wrong) answers the known way what a fresh app answers the long way, and only a
    query is ever known."""
    post = await make_post(await make_user(), "两个操作")
    token = token_for(runtime, await make_user())
    from api.ids import to_global_id

    body: dict[str, Any] = {
        "query": TWO,
        "variables": {"first": 1, "id": to_global_id("Post", post.id)},
    }
    if name is not None:
        body["operationName"] = name
    app, fresh = two
    first = await _post(app, body, token)
    second = await _post(app, body, token)
    long_way = await _post(fresh, body, token)
    assert second.status_code == first.status_code
    if name == "Like":
        assert app.known.get(TWO, name) is None
        return  # a mutation each time: not the same answer, by design
    _same(first, second)
    _same(long_way, second)
    if name in (None, "Latest"):
        assert app.known.get(TWO, name) is not None
    else:
        assert app.known.get(TWO, name) is None


async def test_variables_failing_coercion_answer_the_same(
    runtime: Runtime, two: list[_App]
) -> None:
    app, fresh = two
    await _post(app, {"query": ONE_POST, "variables": {"id": "x"}})
    assert app.known.get(ONE_POST, None) is not None
    for variables in ({"id": None}, {}, {"id": 1.5}, {"id": ["a"]}, {"id": "x", "more": 1}):
        body = {"query": ONE_POST, "variables": variables}
        _same(await _post(fresh, body), await _post(app, body))
    for variables in ("not an object", ["a"], 3):
        body = {"query": ONE_POST, "variables": variables}
        known, long_way = await _post(app, body), await _post(fresh, body)
        _same(long_way, known)


async def test_signed_out_bad_token_and_banned_member_on_a_known_text(
    runtime: Runtime, two: list[_App]
) -> None:
    app, fresh = two
    member = await make_user()
    token = token_for(runtime, member)
    body = {"query": "{ viewer { id nickname } }"}
    await _post(app, body, token)
    assert app.known.get(body["query"], None) is not None
    for sent in (None, "not-a-token", token):
        _same(await _post(fresh, body, sent), await _post(app, body, sent))
    banned_member = await make_user(banned_until=datetime.now(UTC) + timedelta(days=3))
    token = token_for(runtime, banned_member)
    banned = await _post(app, body, token)
    assert banned.status_code == 403, banned.text
    _same(await _post(fresh, body, token), banned)


async def test_introspection_known_in_development_is_refused_in_production(
    runtime: Runtime,
) -> None:
    query = "{ __schema { queryType { name } } }"
    async for (dev,) in _apps(runtime, 1):
        assert "errors" not in (await _post(dev, {"query": query})).json()
        assert dev.known.get(query, None) is not None
        async for (prod,) in _apps(runtime, 1, env=Environment.PRODUCTION):
            for _ in range(2):
                refused = (await _post(prod, {"query": query})).json()
                assert refused.get("data") is None
                assert set(error_codes(refused)) == {"GRAPHQL_VALIDATION_FAILED"}
            assert prod.known.get(query, None) is None
        # a lower depth limit elsewhere: the text known here is refused there
        deep = "{ viewer { id } feed(kind: LATEST, first: 1) { edges { node { id } } } }"
        assert "errors" not in (await _post(dev, {"query": deep})).json()
        async for (low,) in _apps(runtime, 1, query_max_depth=2):
            for _ in range(2):
                answer = (await _post(low, {"query": deep})).json()
                assert answer.get("data") is None and answer["errors"], answer


async def test_an_unexpected_error_is_masked_the_same_byte_for_byte(
    runtime: Runtime, two: list[_App], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, fresh = two

    def boom(*_: object) -> int:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(posts, "pk_of", boom)
    body = {"query": ONE_POST, "variables": {"id": "UG9zdDox"}}
    first = await _post(app, body)
    assert app.known.get(ONE_POST, None) is not None
    second = await _post(app, body)
    _same(first, second)
    _same(await _post(fresh, body), second)
    answer = second.json()
    assert error_codes(answer) == ["INTERNAL_SERVER_ERROR"]
    assert "secret" not in second.text
    assert answer["errors"][0]["extensions"]["requestId"] == "attack-1"
    assert answer["errors"][0]["path"] == ["post"]


async def test_evicted_mid_use_and_sent_again(
    runtime: Runtime, two: list[_App], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A budget so small that every new text evicts the last: a known text forgotten
    mid-use answers the same when sent again, concurrently with others."""
    await make_post(await make_user(), "预算")
    app, fresh = two
    DOCUMENTS.clear()
    monkeypatch.setattr(DOCUMENTS, "tokens_max", 8 * 60)
    body = {"query": LATEST, "variables": {"first": 1}}
    first = await _post(app, body)
    assert app.known.get(LATEST, None) is not None
    others = [{"query": f"{{ viewer {{ id }} a{i}: viewer {{ id }} }}"} for i in range(10)]
    answers = await asyncio.gather(*(_post(app, b) for b in [body, *others, body, *others, body]))
    for answer in (answers[0], answers[11], answers[-1]):
        _same(first, answer)
    assert DOCUMENTS.tokens <= DOCUMENTS.tokens_max
    for known in (app.known, fresh.known):
        assert all(DOCUMENTS.holds(k.document) for k in known._known.values())
    _same(first, await _post(app, body))


async def test_many_concurrent_first_runs(runtime: Runtime, two: list[_App]) -> None:
    await make_post(await make_user(), "并发")
    app, fresh = two
    body = {"query": LATEST + " ", "variables": {"first": 2}}
    answers = await asyncio.gather(*(_post(app, body) for _ in range(20)))
    long_way = await _post(fresh, body)
    for answer in answers:
        _same(long_way, answer)
    assert app.known.get(body["query"], None) is not None
    _same(long_way, await _post(app, body))


def _operations_alive_not_kept() -> int:
    """Large parsed texts still alive that the budget no longer keeps: each parse's end of
    file token, which every token, node and location of its text reaches (the tokens are
    linked both ways), so whatever holds any part of a document holds this."""
    gc.collect()
    kept = {id(d.loc.end_token) for d, _ in DOCUMENTS._kept.values() if d.loc is not None}
    return sum(
        1
        for o in gc.get_objects()
        if isinstance(o, Token)
        and o.kind is TokenKind.EOF
        and o.start > 5_000
        and id(o) not in kept
    )


async def test_no_cache_keeps_an_operation_the_budget_let_go(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large texts that validate and run (a list of ~2,980 tokens): once the
    budget lets their documents go, nothing keeps their operations (each holds its tokens,
    the whole text parsed, ~1 MB)."""
    DOCUMENTS.clear()
    monkeypatch.setattr(DOCUMENTS, "tokens_max", 24_000)  # room for ~8 of them
    token = token_for(runtime, await make_user())
    large = " ".join(["1"] * 2_980)
    before = _operations_alive_not_kept()
    for i in range(40):
        text = (
            f'query Q{i} {{ retentionCohorts(from: "2024-01-01", to: "2024-01-02", '
            f"days: [{large}]) {{ __typename }} }}"
        )
        answer = await api.execute(text, token=token)
        assert error_codes(answer) == ["FORBIDDEN"], answer  # (operators only) it ran
    assert all(DOCUMENTS.holds_node(op) for op, _ in plans._directive_names.values())
    assert _operations_alive_not_kept() - before <= 1


async def test_completed_parts_and_kept_cards_keep_no_operation_the_budget_let_go(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with texts that complete plain parts (a member's chip) and kept cards (a
    feed page): what those caches hold is keyed by a plan's id, not the plan and its nodes."""
    DOCUMENTS.clear()
    monkeypatch.setattr(DOCUMENTS, "tokens_max", 24_000)
    author = await make_user(nickname="作者")
    await make_post(author, "第一篇")
    token = token_for(runtime, await make_user(nickname="读者"))
    large = " ".join(["1"] * 2_900)
    before = _operations_alive_not_kept()
    completed_before = len(leaves._completed)
    for i in range(40):
        text = (
            f"query Q{i}($d: [Int!] = [{large}]) {{ viewer {{ user {{ id nickname bio }} }} "
            "feed(kind: LATEST, first: 5) { edges { node { id body likeCount "
            "author { id nickname } } } } "
            'retentionCohorts(from: "2024-01-01", to: "2024-01-02", days: $d) '
            "{ __typename } }"
        )
        answer = await api.execute(text, token=token)
        assert error_codes(answer) == ["FORBIDDEN"], answer  # (operators only) the rest ran
    assert len(leaves._completed) > completed_before  # plain parts were kept
    assert _operations_alive_not_kept() - before <= 1
