"""Known operations (api/known_operations.py): a query text run before runs again without
Strawberry's set-up, and answers exactly what the long way answers — its errors shaped, its
latency and error codes recorded, its rate limits and variable checks applied — while a
mutation, a text that did not validate, or a GET view that refuses queries always goes the
long way. (tests/api/test_compiled_execution.py sends every contract query twice, the second
time known, against the interpreter's answers.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from api import ratelimit
from api.app import create_app
from api.documents import DOCUMENTS
from api.ids import to_global_id
from api.known_operations import HONOURED, KnownOperations
from api.schema import build_schema
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.contract import operation
from tests.factories import make_post, make_user, token_for


@pytest.mark.parametrize("introspection", [True, False])
def test_every_extension_of_the_schema_is_honoured(introspection: bool) -> None:
    """A new extension fails here until api/known_operations.py says where a known
    operation does what it does."""
    schema = build_schema(dev_login=True, introspection=introspection)
    assert {type(e) for e in schema.get_extensions()} <= set(HONOURED)
    assert {type(e).__name__ for e in schema.get_extensions()} >= {
        "ErrorFormatter",
        "RateLimits",
        "StorableVariables",
        "NotificationDelivery",
        "LearnKnownOperations",
    }


def test_the_interpreter_schema_knows_nothing() -> None:
    assert build_schema(dev_login=True, compiled=False).known_operations is None


class _App:
    def __init__(self, app: Any, client: httpx.AsyncClient) -> None:
        self.api = Api(client)
        self.client = client
        route = next(r for r in app.routes if getattr(r, "path", "") == "/graphql")
        self.schema = route.endpoint.schema
        self.known: KnownOperations = self.schema.known_operations


@pytest.fixture
async def app(runtime: Runtime) -> AsyncIterator[_App]:
    built = create_app(settings=runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=built)
    async with httpx.AsyncClient(transport=transport, base_url="http://quanzi.test") as client:
        yield _App(built, client)


async def _post(app: _App, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await app.client.post("/graphql", json=body, headers=headers)


def _same(first: httpx.Response, second: httpx.Response) -> None:
    assert second.status_code == first.status_code
    assert second.json() == first.json()
    for header in ("content-type", "cache-control", "vary", "retry-after"):
        assert second.headers.get(header) == first.headers.get(header), header


async def test_a_query_is_known_after_its_first_run_and_answers_the_same(
    runtime: Runtime, app: _App
) -> None:
    author = await make_user(nickname="作者")
    for i in range(3):
        await make_post(author, f"第 {i} 篇")
    token = token_for(runtime, await make_user())
    body = {"query": operation("Feed"), "variables": {"kind": "LATEST", "first": 2}}
    assert app.known.get(operation("Feed"), None) is None
    first = await _post(app, body, token)
    assert app.known.get(operation("Feed"), None) is not None
    second = await _post(app, body, token)
    _same(first, second)
    assert len(second.json()["data"]["feed"]["edges"]) == 2
    # The name given is part of what is known: the same text named is learned anew.
    named = {**body, "operationName": "Feed"}
    assert app.known.get(operation("Feed"), "Feed") is None
    _same(first, await _post(app, named, token))
    assert app.known.get(operation("Feed"), "Feed") is not None
    _same(first, await _post(app, named, token))


async def test_errors_are_shaped_and_counted_the_same(runtime: Runtime, app: _App) -> None:
    """A field error (a post that is not there, in the caller's language) and a variable of
    the wrong type: the same answer, and the same error series counted, each time."""
    member = await make_user()
    token = token_for(runtime, member)
    query = "query One($id: ID!) { viewer { id } post(id: $id) { id body } }"
    missing = {"query": query, "variables": {"id": "not-an-id"}}
    wrong = {"query": query, "variables": {"id": {"an": "object"}}}

    def counted(code: str) -> float:
        labels = {"operation": "other", "code": code}
        return REGISTRY.get_sample_value("quanzi_graphql_errors_total", labels) or 0.0

    def timed() -> float:
        labels = {"operation": "other"}
        name = "quanzi_graphql_operation_duration_seconds_count"
        return REGISTRY.get_sample_value(name, labels) or 0.0

    answers = []
    for body in (missing, wrong):
        before_errors = {c: counted(c) for c in ("NOT_FOUND", "BAD_USER_INPUT")}
        before_timed = timed()
        first = await _post(app, body, token)
        second = await _post(app, body, token)
        _same(first, second)
        codes = error_codes(first.json())
        assert codes and all(c in before_errors for c in codes), codes
        for code in codes:
            assert counted(code) == before_errors[code] + 2 * codes.count(code)
        assert timed() == before_timed + 2
        answers.append(first.json())
    assert answers[0]["data"] == {"viewer": {"id": to_global_id("User", member.id)}, "post": None}
    assert answers[0]["errors"][0]["message"] == "ID 格式不正确"
    assert answers[1]["data"] is None


async def test_a_known_query_is_still_rate_limited(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No query is limited today; one that is (Search here, in the posting class) is counted
    and refused the known way as the long way, with the same Retry-After."""
    monkeypatch.setitem(ratelimit.FIELD_CLASS, "search", "posting")
    settings = runtime.settings.model_copy(
        update={"rate_limits_enabled": True, "rate_limits": {"posting": (3, 60)}}
    )
    built = create_app(settings=settings, runtime=runtime)
    transport = httpx.ASGITransport(app=built)
    token = token_for(runtime, await make_user())
    variables = {"query": "爬山", "kind": "POSTS", "first": 5}
    body = {"query": operation("Search"), "variables": variables}
    async with httpx.AsyncClient(transport=transport, base_url="http://quanzi.test") as client:
        app = _App(built, client)
        answers = [await _post(app, body, token) for _ in range(4)]
        assert app.known.get(operation("Search"), None) is not None
        # the same operation named: a text not yet known, the long way
        answers.append(await _post(app, {**body, "operationName": "Search"}, token))
    refused = [["RATE_LIMITED"]] * 2
    assert [error_codes(a.json()) for a in answers] == [[], [], [], *refused]
    _same(answers[3], answers[4])
    assert answers[4].headers["retry-after"] == str(
        answers[4].json()["errors"][0]["extensions"]["retryAfter"]
    )


async def test_refused_variables_are_refused_the_known_way_too(runtime: Runtime) -> None:
    """Variables a WebSocket or the console sends reach the schema unchecked: text that
    cannot be stored is refused before a known query runs, as before a new one."""
    schema = build_schema(dev_login=True)
    query = "query Q($q: String!) { search(query: $q, kind: POSTS, first: 1) { edges { cursor } } }"
    await schema.execute(query, {"q": "爬山"})  # (no request behind it: what it answers aside)
    assert schema.known_operations is not None
    assert schema.known_operations.get(query, None) is not None
    known = await schema.execute(query, {"q": "爬\x00山"})
    long_way = await build_schema(dev_login=True).execute(query, {"q": "爬\x00山"})
    for refused in (known, long_way):
        assert refused.data is None
        assert [e.extensions["code"] for e in refused.errors or []] == ["BAD_USER_INPUT"]
    assert [e.formatted for e in known.errors or []] == [e.formatted for e in long_way.errors or []]


async def test_mutations_and_invalid_texts_are_never_known(runtime: Runtime, app: _App) -> None:
    member = await make_user()
    post = await make_post(await make_user(), "可以点赞")
    token = token_for(runtime, member)
    post_id = to_global_id("Post", post.id)
    like = f'mutation {{ likePost(postId: "{post_id}") {{ post {{ likeCount }} }} }}'
    assert "errors" not in (await _post(app, {"query": like}, token)).json()
    assert app.known.get(like, None) is None
    invalid = "{ viewer { id } feed(kind: LATEST) { nope } }"
    first = await _post(app, {"query": invalid}, token)
    assert error_codes(first.json()) == ["GRAPHQL_VALIDATION_FAILED"] * len(first.json()["errors"])
    assert app.known.get(invalid, None) is None
    _same(first, await _post(app, {"query": invalid}, token))


async def test_what_is_known_is_bounded(runtime: Runtime) -> None:
    known = KnownOperations(size=3)
    for i in range(5):
        known.learn(f"{{ a{i} }}", None, DOCUMENTS.parse(f"{{ a{i} }}"), None)
    assert len(known) == 3
    assert known.get("{ a0 }", None) is None and known.get("{ a4 }", None) is not None
