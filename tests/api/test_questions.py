"""Questions and answers through the API: titles, one answer each, acceptance, votes."""

from __future__ import annotations

import asyncio

from api.ids import to_global_id
from domain.models import Answer, AnswerVote
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


async def _ask(api: Api, token: str, title: str = "怎么选质押池？") -> str:
    result = await api.op(
        "CreatePost",
        {"input": {"kind": "QUESTION", "title": title, "body": "新手求教 #区块链#"}},
        token=token,
    )
    return result["data"]["createPost"]["post"]["id"]


async def _answer(api: Api, token: str, question: str, body: str) -> str:
    result = await api.op("AnswerQuestion", {"questionId": question, "body": body}, token=token)
    return result["data"]["answerQuestion"]["answer"]["id"]


async def test_a_question_needs_a_title(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    result = await api.op(
        "CreatePost", {"input": {"kind": "QUESTION", "body": "没有标题"}}, token=token
    )
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "title"}


async def test_members_answer_once_and_the_asker_accepts_one(api: Api, runtime: Runtime) -> None:
    asker = token_for(runtime, await make_user())
    question = await _ask(api, asker)
    alice, bob = await make_user(nickname="爱丽丝"), await make_user(nickname="鲍勃")
    first = await api.op(
        "AnswerQuestion",
        {"questionId": question, "body": "看饱和度"},
        token=token_for(runtime, alice),
    )
    assert first["data"]["answerQuestion"]["question"] == {"id": question, "answerCount": 1}
    a1 = first["data"]["answerQuestion"]["answer"]["id"]
    again = await api.op(
        "AnswerQuestion",
        {"questionId": question, "body": "再答一次"},
        token=token_for(runtime, alice),
    )
    assert again["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "questionId"}
    a2 = await _answer(api, token_for(runtime, bob), question, "看费用")

    not_asker = await api.op("AcceptAnswer", {"answerId": a1}, token=token_for(runtime, bob))
    assert error_codes(not_asker) == ["FORBIDDEN"]
    accepted = await api.op("AcceptAnswer", {"answerId": a2}, token=asker)
    assert accepted["data"]["acceptAnswer"] == {
        "answer": {"id": a2, "isAccepted": True},
        "question": {"id": question, "acceptedAnswer": {"id": a2}, "bounty": 0},
    }
    assert "errors" not in await api.op("AcceptAnswer", {"answerId": a2}, token=asker)
    other = await api.op("AcceptAnswer", {"answerId": a1}, token=asker)
    assert other["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "answerId"}

    listing = await api.op("QuestionAnswers", {"id": question, "orderBy": "VOTES"})
    data = listing["data"]["post"]
    assert (data["kind"], data["answerCount"], data["acceptedAnswer"]) == (
        "QUESTION",
        2,
        {"id": a2},
    )
    assert [e["node"]["id"] for e in data["answers"]["edges"]] == [a2, a1]
    newest = await api.op("QuestionAnswers", {"id": question, "orderBy": "NEWEST"})
    assert [e["node"]["id"] for e in newest["data"]["post"]["answers"]["edges"]] == [a2, a1]


async def test_answering_a_plain_post_or_nothing_is_refused(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    post = await api.op("CreatePost", {"input": {"body": "普通帖子"}}, token=token)
    post_id = post["data"]["createPost"]["post"]["id"]
    result = await api.op("AnswerQuestion", {"questionId": post_id, "body": "答"}, token=token)
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "questionId"}
    missing = await api.op(
        "AnswerQuestion", {"questionId": to_global_id("Post", 999), "body": "答"}, token=token
    )
    assert missing["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "questionId"}
    assert await Answer.all().count() == 0


async def test_votes_are_idempotent_changeable_and_not_on_your_own_answer(
    api: Api, runtime: Runtime
) -> None:
    question = await _ask(api, token_for(runtime, await make_user()))
    author = token_for(runtime, await make_user())
    answer = await _answer(api, author, question, "我的回答")
    voter = token_for(runtime, await make_user())
    for _ in range(2):
        up = await api.op("VoteAnswer", {"answerId": answer, "value": "UP"}, token=voter)
        assert up["data"]["voteAnswer"]["answer"] == {
            "id": answer,
            "voteCount": 1,
            "viewerVote": "UP",
        }
    down = await api.op("VoteAnswer", {"answerId": answer, "value": "DOWN"}, token=voter)
    assert down["data"]["voteAnswer"]["answer"]["voteCount"] == -1
    none = await api.op("VoteAnswer", {"answerId": answer, "value": "NONE"}, token=voter)
    assert none["data"]["voteAnswer"]["answer"] == {
        "id": answer,
        "voteCount": 0,
        "viewerVote": None,
    }
    own = await api.op("VoteAnswer", {"answerId": answer, "value": "UP"}, token=author)
    assert error_codes(own) == ["FORBIDDEN"]


async def test_concurrent_votes_leave_the_count_equal_to_the_rows(
    api: Api, runtime: Runtime
) -> None:
    question = await _ask(api, token_for(runtime, await make_user()))
    answer = await _answer(api, token_for(runtime, await make_user()), question, "答案")
    voters = [token_for(runtime, await make_user()) for _ in range(30)]
    calls = [
        api.op("VoteAnswer", {"answerId": answer, "value": v}, token=t)
        for t in voters
        for v in ("UP", "DOWN", "UP")
    ]
    await asyncio.gather(*calls)
    stored = await Answer.get(id=int((await Answer.first()).id))  # type: ignore[union-attr]
    total = sum(v.value for v in await AnswerVote.all())
    assert stored.vote_count == total


def _poll_input(options: list[str], **extra: object) -> dict:
    return {"input": {"kind": "POLL", "body": "周末去哪？", "poll": {"options": options, **extra}}}
