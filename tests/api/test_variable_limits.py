"""A request's variables are counted as its body is read, before GraphQL coerces them or a
resolver counts them: a list longer than any legitimate one, or more values than any
legitimate request holds, is refused with the field it is in, and nothing has run — no
statement, no screening call, no write. The longest legitimate lists still pass, and a
resolver's own limit (5 topics) still speaks for itself below the edge's."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from api.guards import VARIABLE_LIST_MAX, VARIABLE_VALUES_MAX
from api.ids import to_global_id
from domain.models import Post, Role, SensitiveWord, Survey
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.contract import operation
from tests.factories import make_post, make_user, token_for
from tests.serving import serving
from tests.wechat_stub import WeChatStub

TOPICS = [f"话题{i}" for i in range(12_000)]  # ~100 KB of JSON


async def _statements_of(
    caplog: pytest.LogCaptureFixture, api: Api, name: str, variables: dict[str, Any], token: str
) -> tuple[dict[str, Any], list[str]]:
    """The answer to a contract operation, and the database statements it ran beyond reading
    the caller signing in (the edge's, which may be remembered from an earlier request)."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        result = await api.op(name, variables, token=token)
    statements = [r.getMessage() for r in caplog.records if r.name == "tortoise.db_client"]
    return result, [s for s in statements if "FROM users WHERE id = " not in s]


def _refused(result: dict[str, Any], extensions: dict[str, Any], message: str) -> None:
    [error] = result["errors"]
    assert error["extensions"] == extensions
    assert error["message"] == message
    assert result.get("data") is None


async def test_twelve_thousand_topics_are_refused_before_anything_runs(
    api: Api, runtime: Runtime, wechat: WeChatStub, caplog: pytest.LogCaptureFixture
) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    post = await make_post(member, "先发一篇 #原来的#")
    screened = len(wechat.checked)
    refusal = {"code": "BAD_USER_INPUT", "field": "topics"}

    created, ran = await _statements_of(
        caplog, api, "CreatePost", {"input": {"body": "话题很多", "topics": TOPICS}}, token
    )
    _refused(created, refusal, f"最多 {VARIABLE_LIST_MAX} 项")
    assert ran == []
    edit = {"id": to_global_id("Post", post.id), "input": {"topics": TOPICS}}
    edited, ran = await _statements_of(caplog, api, "EditPost", edit, token)
    _refused(edited, refusal, f"最多 {VARIABLE_LIST_MAX} 项")
    assert ran == []

    assert len(wechat.checked) == screened  # nothing was sent to be screened
    assert await Post.filter(author_id=member.id).count() == 1
    shown = await api.op("PostDetail", {"id": to_global_id("Post", post.id)}, token=token)
    assert [t["name"] for t in shown["data"]["post"]["topics"]] == ["原来的"]
    # The same request within the edge's bound runs, and meets the resolver's own limit.
    six = await api.op("CreatePost", {"input": {"body": "六个", "topics": TOPICS[:6]}}, token=token)
    _refused(six, refusal, "最多 5 个话题")


async def test_a_survey_of_too_many_values_is_refused_and_the_largest_real_one_is_made(
    api: Api, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))

    def survey(questions: int) -> dict[str, Any]:
        options = [f"选项{i}" for i in range(20)]
        asked = [
            {"kind": "MULTIPLE", "title": f"问题{q}", "options": options} for q in range(questions)
        ]
        return {"input": {"title": "问卷", "questions": asked}}

    # 150 questions of 20 options: every list within its bound, ~3,500 values in all.
    refused, ran = await _statements_of(caplog, api, "CreateSurvey", survey(150), operator)
    _refused(refused, {"code": "BAD_USER_INPUT"}, f"一次请求最多 {VARIABLE_VALUES_MAX} 个值")
    assert ran == []
    assert await Survey.all().count() == 0
    # The most a survey may ask (50 questions of 20 options) is well within it.
    made, ran = await _statements_of(caplog, api, "CreateSurvey", survey(50), operator)
    assert "errors" not in made, made
    assert ran  # (what is counted above is counted)
    assert len(made["data"]["createSurvey"]["survey"]["questions"]) == 50


async def test_a_thousand_sensitive_words_at_once_pass_and_one_more_is_refused(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    words = [f"违禁词{i}" for i in range(VARIABLE_LIST_MAX)]
    added = await api.op("AddSensitiveWords", {"words": words, "level": "BLOCK"}, token=operator)
    assert added == {"data": {"addSensitiveWords": {"count": VARIABLE_LIST_MAX}}}, added
    more = {"words": [*words, "再多一个"], "level": "BLOCK"}
    refused = await api.op("AddSensitiveWords", more, token=operator)
    _refused(refused, {"code": "BAD_USER_INPUT", "field": "words"}, f"最多 {VARIABLE_LIST_MAX} 项")
    assert await SensitiveWord.all().count() == VARIABLE_LIST_MAX


async def test_a_long_list_sent_over_the_socket_is_refused_the_same_way(runtime: Runtime) -> None:
    member = await make_user()
    async with serving(runtime) as base:
        transport = WebsocketsTransport(
            url=f"ws://{base}/graphql",
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"authorization": f"Bearer {token_for(runtime, member)}"},
        )
        async with Client(transport=transport) as session:
            request = GraphQLRequest(
                operation("CreatePost"),
                variable_values={"input": {"body": "话题很多", "topics": TOPICS[:1001]}},
                operation_name="CreatePost",
            )
            with pytest.raises(TransportQueryError) as refused:
                await session.execute(request)
    [error] = refused.value.errors or []
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "topics"}
    assert error["message"] == f"最多 {VARIABLE_LIST_MAX} 项"
    assert await Post.filter(author_id=member.id).count() == 0
