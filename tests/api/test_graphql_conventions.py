"""Global IDs, node(id:), error masking, request ids, and what production hides."""

from __future__ import annotations

import logging

import httpx
import pytest
import strawberry

from api.app import create_app
from api.errors import ErrorFormatter
from api.ids import to_global_id
from api.schema import QuanziSchema
from quanzi.bootstrap import Runtime
from quanzi.settings import Environment
from tests.conftest import Api, error_codes
from tests.factories import make_user


async def test_node_fetches_a_member_by_global_id(api: Api) -> None:
    user = await make_user(nickname="节点")
    query = "query($id: ID!) { node(id: $id) { id __typename ... on User { nickname level } } }"
    result = await api.execute(query, {"id": to_global_id("User", user.id)})
    assert result["data"]["node"] == {
        "id": to_global_id("User", user.id),
        "__typename": "User",
        "nickname": "节点",
        "level": 1,
    }
    missing = await api.execute(query, {"id": to_global_id("User", 999999)})
    assert missing == {"data": {"node": None}}
    unknown_type = await api.execute(query, {"id": to_global_id("Nope", 1)})
    assert unknown_type == {"data": {"node": None}}


async def test_malformed_node_id_is_bad_input_on_the_id_field(api: Api) -> None:
    result = await api.execute('{ node(id: "%%%") { id } }')
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


async def test_a_query_that_does_not_parse_or_validate_is_the_clients_bug_not_bad_input(
    client: httpx.AsyncClient,
) -> None:
    """Apollo's codes, so an app's generic error link can tell a bug in the app (shown to its
    developer, in graphql-core's English whatever the language) from the user's input (shown
    to the user, in their language). The HTTP status stays 200, as for every executed request."""
    for query, code, text in (
        ("{ viewer { id ", "GRAPHQL_PARSE_FAILED", "Syntax Error: Expected Name, found <EOF>."),
        ("{ viewer { noSuchField } }", "GRAPHQL_VALIDATION_FAILED", "Cannot query field"),
        (
            '{ feed(kind: LATEST, first: "two") { edges { cursor } } }',
            "GRAPHQL_VALIDATION_FAILED",
            "Int cannot represent non-integer value",
        ),
        (
            "query F($k: FeedKind!) { feed(kind: $q) { edges { cursor } } }",
            "GRAPHQL_VALIDATION_FAILED",
            "Variable '$q' is not defined",
        ),
        ("mutation { likePost { post { id } } }", "GRAPHQL_VALIDATION_FAILED", "likePost(postId:)"),
    ):
        for language in ("zh-CN", "en"):
            response = await client.post(
                "/graphql", json={"query": query}, headers={"Accept-Language": language}
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert "data" in body and body["data"] is None
            assert error_codes(body)[:1] == [code], (query, body)
            assert text in body["errors"][0]["message"], (query, body)


async def test_a_variables_value_its_type_refuses_stays_bad_user_input(api: Api) -> None:
    query = "query F($first: Int) { feed(kind: LATEST, first: $first) { edges { cursor } } }"
    wrong_type = await api.execute(query, {"first": "two"})
    assert error_codes(wrong_type) == ["BAD_USER_INPUT"]
    missing = await api.execute(
        "query F($kind: FeedKind!) { feed(kind: $kind) { edges { cursor } } }", {}
    )
    assert error_codes(missing) == ["BAD_USER_INPUT"]


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def boom(self) -> int:
            raise RuntimeError("database password is hunter2")

    schema = QuanziSchema(query=Query, extensions=[ErrorFormatter])

    class Ctx:
        locale = "zh"
        request_id = "req-123"

    with caplog.at_level(logging.ERROR):
        result = await schema.execute("{ boom }", context_value=Ctx())
    assert result.errors is not None
    error = result.errors[0]
    assert "hunter2" not in error.message
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-123"}
    logged = [r for r in caplog.records if r.name == "quanzi.api"]
    assert len(logged) == 1
    assert "req-123" in logged[0].getMessage()
    assert "RuntimeError: database password is hunter2" in logged[0].getMessage()  # traceback


async def test_expected_errors_are_not_logged_as_failures(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        await api.op("RefreshToken", {"refreshToken": "made-up"})
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ viewer { id } }"})
    assert len(response.headers["x-request-id"]) == 32
    echoed = await client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={"X-Request-ID": "abc-123"}
    )
    assert echoed.headers["x-request-id"] == "abc-123"
    junk = await client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert junk.headers["x-request-id"] != "<script>"


async def test_graphiql_is_served_outside_production(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_production_hides_graphiql_introspection_and_dev_login(runtime: Runtime) -> None:
    production = runtime.settings.model_copy(
        update={"env": Environment.PRODUCTION, "dev_login": True}
    )
    app = create_app(settings=production, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://prod.test") as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code != 200 or "graphiql" not in page.text.lower()
        introspection = await client.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}
        )
        assert introspection.json()["errors"]
        dev = await client.post(
            "/graphql", json={"query": 'mutation { devLogin(openid: "x") { token } }'}
        )
        assert error_codes(dev.json()) == ["GRAPHQL_VALIDATION_FAILED"]
