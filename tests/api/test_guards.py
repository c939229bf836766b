"""Guards before execution: depth, aliases, cost and tokens answer QUERY_TOO_COMPLEX and run
nothing; an oversized body is refused with 413 before it is parsed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

from api.ids import to_global_id
from domain.models import Post, PostLike
from quanzi.bootstrap import Runtime
from tests.conftest import Api, configured_api, error_codes
from tests.factories import make_post, make_user, token_for


def _nested_authors(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"author {{ posts(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"
    return f"{{ feed(kind: LATEST, first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


async def test_a_query_nested_too_deep_is_refused_before_it_runs(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user()
    await make_post(member, "第一篇")
    token = token_for(runtime, member)
    fine = await api.execute(_nested_authors(1), token=token)
    assert "errors" not in fine, fine
    deep = await api.execute(_nested_authors(3), token=token)
    assert error_codes(deep) == ["QUERY_TOO_COMPLEX"]
    assert deep["errors"][0]["extensions"]["limit"] == "depth"
    assert deep["errors"][0]["message"].startswith("查询过于复杂")
    assert deep.get("data") is None
    english = await api.execute(_nested_authors(3), token=token, lang="en")
    assert english["errors"][0]["message"].startswith("The query is too complex.")


async def test_too_many_aliases_run_nothing(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    post = await make_post(author, "别点太多次")
    member = await make_user()
    post_id = to_global_id("Post", post.id)
    fields = " ".join(f'l{i}: likePost(postId: "{post_id}") {{ post {{ id }} }}' for i in range(31))
    result = await api.execute(f"mutation {{ {fields} }}", token=token_for(runtime, member))
    assert error_codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result["errors"][0]["extensions"]["limit"] == "aliases"
    assert await PostLike.filter(user_id=member.id).count() == 0


async def test_nested_pages_multiply_into_a_cost_that_is_refused(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    page = "posts(first: 50) { edges { node { id title likeCount commentCount } } }"
    query = f"{{ feed(kind: LATEST, first: 50) {{ edges {{ node {{ author {{ {page} }} }} }} }} }}"
    result = await api.execute(query, token=token)
    assert error_codes(result) == ["QUERY_TOO_COMPLEX"]
    error = result["errors"][0]["extensions"]
    assert error["limit"] == "cost" and error["actual"] > error["allowed"] == 10_000
    # A variable page size counts as the page cap: the most it could ask for.
    by_variable = "query Q($n: Int) " + query.replace("posts(first: 50)", "posts(first: $n)")
    result = await api.execute(by_variable, {"n": 1}, token=token)
    assert error_codes(result) == ["QUERY_TOO_COMPLEX"]
    small = query.replace("posts(first: 50)", "posts(first: 5)")
    assert "errors" not in await api.execute(small, token=token)
    # A page size over the cap is served capped, and costed at the cap: no more, no less.
    over = await api.execute(query.replace("first: 50", "first: 100000"), token=token)
    assert over["errors"][0]["extensions"]["actual"] == error["actual"]


async def test_a_query_of_too_many_tokens_is_refused(api: Api, runtime: Runtime) -> None:
    member = await make_user()
    query = "{ viewer { " + "id " * 6_000 + "} }"
    result = await api.execute(query, token=token_for(runtime, member))
    assert error_codes(result) == ["QUERY_TOO_COMPLEX"]


async def test_an_oversized_body_is_refused_with_413_declared_or_streamed(
    client: httpx.AsyncClient,
) -> None:
    padding = "x" * (300 * 1024)
    body = {"query": "{ __typename }", "variables": {"padding": padding}}
    declared = await client.post("/graphql", json=body)
    assert declared.status_code == 413
    error = declared.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "256 KB" in error["message"]

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"padding": "'
        for _ in range(300):
            yield b"x" * 1024
        yield b'"}}'

    streamed = await client.post(
        "/graphql",
        content=chunks(),
        headers={"content-type": "application/json", "accept-language": "en"},
    )
    assert streamed.status_code == 413
    assert "too large" in streamed.json()["errors"][0]["message"]
    small = await client.post("/graphql", json={"query": "{ __typename }"})
    assert small.status_code == 200 and small.json()["data"] == {"__typename": "Query"}


async def test_malformed_requests_answer_in_the_graphql_error_shape(
    client: httpx.AsyncClient,
) -> None:
    for body, status in (('{"query": ', 400), ("[1, 2]", 400), ("{}", 400), ('{"query": 5}', 400)):
        response = await client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == status, body
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    broken = await client.post("/graphql", json={"query": "{ viewer { id "})
    error = broken.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "Syntax Error" in error["message"]


async def test_the_limits_are_settings(runtime: Runtime) -> None:
    async with configured_api(runtime, query_max_depth=2, graphql_max_body_bytes=2048) as (
        api,
        client,
    ):
        member = await make_user()
        token = token_for(runtime, member)
        assert "errors" not in await api.execute("{ viewer { id } }", token=token)
        deep = await api.execute("{ viewer { badges { code } } }", token=token)
        assert error_codes(deep) == ["QUERY_TOO_COMPLEX"]
        big = await client.post("/graphql", json={"query": "{ __typename }", "x": "y" * 3000})
        assert big.status_code == 413


async def test_text_with_a_nul_character_is_bad_input_not_a_server_error(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    literal = await api.execute('{ topic(name: "a\\u0000b") { name } }', token=token)
    assert error_codes(literal) == ["BAD_USER_INPUT"]
    assert "空字符" in literal["errors"][0]["message"]
    created = await api.op("CreatePost", {"input": {"body": "he\u0000llo"}}, token=token, lang="en")
    assert error_codes(created) == ["BAD_USER_INPUT"]
    assert "NUL" in created["errors"][0]["message"]
    assert await Post.filter(author_id=member.id).count() == 0


async def test_one_field_repeated_is_refused_before_validation_without_delaying_others(
    client: httpx.AsyncClient,
) -> None:
    """Validation compares same-named fields pairwise: 1,200 copies of `viewer { id }` (13 KB)
    took 1.5 s of the event loop each. The token limit, sized to the contract, now stops
    those; 700 copies fit under it and are refused on their count (`limit: fields`, which
    only the breadth guard answers) before validation, and a request sent meanwhile is
    answered. How long each takes: bench/hostile_bench.py (~40 ms a copy here, where
    validating one would take 1.5 s)."""
    reported = await client.post("/graphql", json={"query": "{" + " viewer{id}" * 1_200 + " }"})
    assert error_codes(reported.json()) == ["QUERY_TOO_COMPLEX"]
    hostile = "{" + " viewer{id}" * 700 + " }"

    answers = await asyncio.gather(
        *(client.post("/graphql", json={"query": hostile + " " * n}) for n in range(8)),
        client.post("/graphql", json={"query": "{ __typename }"}),
    )
    *refused, trivial = answers
    assert trivial.json() == {"data": {"__typename": "Query"}}
    for response in refused:
        assert error_codes(response.json()) == ["QUERY_TOO_COMPLEX"]
        extensions = response.json()["errors"][0]["extensions"]
        assert extensions["limit"] == "fields" and extensions["allowed"] == 200
        assert extensions["actual"] > 200
    # One selection set of 60 fields is refused on its width.
    wide = "{ viewer { " + "id " * 60 + "} }"
    result = (await client.post("/graphql", json={"query": wide})).json()
    assert error_codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result["errors"][0]["extensions"]["limit"] == "fieldsPerSelection"
