"""Polls through the API: one vote per member, multiple choice, closing, concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.models import PollOption, PollVoter, Post
from quanzi.bootstrap import Runtime
from tests.conftest import Api
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


def _poll_input(options: list[str], **extra: object) -> dict:
    return {"input": {"kind": "POLL", "body": "周末去哪？", "poll": {"options": options, **extra}}}


async def test_a_poll_takes_one_vote_per_member_and_counts_it(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    created = await api.op("CreatePost", _poll_input(["爬山", "看电影", "宅家"]), token=token)
    post = created["data"]["createPost"]["post"]
    poll = post["poll"]
    assert (poll["multipleChoice"], poll["closed"], poll["totalVoters"]) == (False, False, 0)
    options = [o["id"] for o in poll["options"]]
    voter = token_for(runtime, await make_user())
    voted = await api.op("VotePoll", {"postId": post["id"], "optionIds": [options[0]]}, token=voter)
    view = voted["data"]["votePoll"]["poll"]
    assert view["totalVoters"] == 1
    assert view["viewerVotedOptionIds"] == [options[0]]
    assert [(o["voteCount"], o["percent"]) for o in view["options"]] == [
        (1, 100.0),
        (0, 0.0),
        (0, 0.0),
    ]
    again = await api.op("VotePoll", {"postId": post["id"], "optionIds": [options[1]]}, token=voter)
    assert again["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "postId"}
    two = await api.op("VotePoll", {"postId": post["id"], "optionIds": options[:2]}, token=token)
    assert two["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "optionIds"}


async def test_multiple_choice_polls_take_distinct_options_of_their_own(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    first = await api.op(
        "CreatePost", _poll_input(["A", "B", "C"], multipleChoice=True), token=token
    )
    other = await api.op("CreatePost", _poll_input(["X", "Y"]), token=token)
    post = first["data"]["createPost"]["post"]
    options = [o["id"] for o in post["poll"]["options"]]
    foreign = other["data"]["createPost"]["post"]["poll"]["options"][0]["id"]
    for bad in ([], [options[0], options[0]], [options[0], foreign]):
        result = await api.op("VotePoll", {"postId": post["id"], "optionIds": bad}, token=token)
        assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "optionIds"}
    ok = await api.op("VotePoll", {"postId": post["id"], "optionIds": options[:2]}, token=token)
    counts = [o["voteCount"] for o in ok["data"]["votePoll"]["poll"]["options"]]
    assert counts == [1, 1, 0]
    assert ok["data"]["votePoll"]["poll"]["totalVoters"] == 1


async def test_bad_polls_are_refused(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    cases = [
        (_poll_input(["只有一个"]), "poll.options"),
        (_poll_input([str(i) for i in range(11)]), "poll.options"),
        (_poll_input(["重复", "重复"]), "poll.options"),
        (_poll_input(["", "空"]), "poll.options"),
        (_poll_input(["长" * 51, "短"]), "poll.options"),
        (_poll_input(["A", "B"], closesAt=past), "poll.closesAt"),
        ({"input": {"kind": "POLL", "body": "没有选项"}}, "poll"),
    ]
    for variables, field in cases:
        result = await api.op("CreatePost", variables, token=token)
        assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await Post.all().count() == 0


async def test_a_closed_poll_refuses_votes_saying_so(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    created = await api.op("CreatePost", _poll_input(["是", "否"], closesAt=soon), token=token)
    post = created["data"]["createPost"]["post"]
    from domain.models import Poll

    await Poll.all().update(closes_at=datetime.now(UTC) - timedelta(seconds=1))
    result = await api.op(
        "VotePoll",
        {"postId": post["id"], "optionIds": [post["poll"]["options"][0]["id"]]},
        token=token,
    )
    assert result["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "postId"}
    assert "截止" in result["errors"][0]["message"]


async def test_two_hundred_members_voting_at_once_count_exactly(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    created = await api.op(
        "CreatePost", _poll_input(["甲", "乙", "丙"], multipleChoice=True), token=token
    )
    post = created["data"]["createPost"]["post"]
    options = [o["id"] for o in post["poll"]["options"]]
    voters = [token_for(runtime, await make_user()) for _ in range(200)]
    calls = [
        api.op("VotePoll", {"postId": post["id"], "optionIds": options[: 1 + i % 3]}, token=t)
        for i, t in enumerate(voters)
    ]
    # Some members double-tap.
    calls += [
        api.op("VotePoll", {"postId": post["id"], "optionIds": [options[0]]}, token=t)
        for t in voters[:20]
    ]
    results = await asyncio.gather(*calls)
    codes = [e["extensions"]["code"] for r in results for e in r.get("errors", [])]
    assert sum("errors" not in r for r in results) == 200, sorted(set(codes))
    from domain.models import Poll

    poll = await Poll.get(post_id=(await Post.first()).id)  # type: ignore[union-attr]
    assert poll.total_voters == 200 == await PollVoter.all().count()
    for option in await PollOption.filter(poll_id=poll.id):
        chose = sum(option.id in v.option_ids for v in await PollVoter.all())
        assert option.vote_count == chose
