"""A post or comment sent twice — a double tap, or the same request sent again when no answer
came — is written once: both answers are the first (domain/resubmits.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from api.ids import to_global_id
from domain import points
from domain.comments import add_answer_comment, add_comment
from domain.models import Comment, Feedback, PointsEntry, PointsReason, Post, User
from domain.publishing import NO_SCREENING
from domain.resubmits import RESUBMIT_SECONDS
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    RULES,
    make_answer,
    make_post,
    make_question,
    make_user,
    token_for,
)

POST = {"input": {"body": "今天的日落很好看 #摄影#", "topics": ["日落"]}}


def _post_id(answer: dict) -> str:
    assert "errors" not in answer, answer
    return str(answer["data"]["createPost"]["post"]["id"])


async def test_a_post_tapped_twice_at_once_is_written_once(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    token = token_for(runtime, author)
    first, second = await asyncio.gather(
        api.op("CreatePost", POST, token=token), api.op("CreatePost", POST, token=token)
    )
    assert _post_id(first) == _post_id(second)
    assert await Post.filter(author_id=author.id).count() == 1
    await author.refresh_from_db()
    assert author.post_count == 1
    rewarded = await PointsEntry.filter(user_id=author.id, reason=PointsReason.POST).count()
    assert rewarded == 1


async def test_a_post_sent_again_after_no_answer_came_is_the_first(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    first = _post_id(await api.op("CreatePost", POST, token=token))
    again = await api.op("CreatePost", POST, token=token)
    assert _post_id(again) == first
    assert again["data"]["createPost"]["post"]["body"] == POST["input"]["body"]


async def test_a_question_sent_twice_escrows_its_bounty_once(api: Api, runtime: Runtime) -> None:
    asker = await make_user()
    async with in_transaction() as conn:
        await points.award(asker.id, 100, PointsReason.FEATURED, "seed", conn, rules=RULES)
    token = token_for(runtime, asker)
    ask = {"input": {"kind": "QUESTION", "title": "求助", "body": "怎么办？", "bounty": 30}}
    answers = await asyncio.gather(*(api.op("CreatePost", ask, token=token) for _ in range(3)))
    assert len({_post_id(a) for a in answers}) == 1
    escrowed = PointsEntry.filter(user_id=asker.id, reason=PointsReason.BOUNTY_ESCROW)
    assert await escrowed.count() == 1
    rewarded = await PointsEntry.filter(user_id=asker.id, reason=PointsReason.POST).count()
    assert (await User.get(id=asker.id)).points == 100 - 30 + RULES.post * rewarded


async def test_what_differs_or_comes_later_is_a_post_of_its_own(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    token = token_for(runtime, author)
    first = _post_id(await api.op("CreatePost", POST, token=token))
    other = {"input": {**POST["input"], "body": "今天的日落真好看 #摄影#"}}
    assert _post_id(await api.op("CreatePost", other, token=token)) != first
    # Another member's same words are theirs.
    someone = token_for(runtime, await make_user())
    assert _post_id(await api.op("CreatePost", POST, token=someone)) != first
    # The same words a while later: posted again on purpose.
    await Post.filter(author_id=author.id).update(
        created_at=datetime.now(UTC) - timedelta(seconds=RESUBMIT_SECONDS + 1)
    )
    assert _post_id(await api.op("CreatePost", POST, token=token)) != first
    assert await Post.filter(author_id=author.id).count() == 3


async def test_the_same_post_after_the_first_was_deleted_is_posted(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    first = _post_id(await api.op("CreatePost", POST, token=token))
    assert "errors" not in await api.op("DeletePost", {"id": first}, token=token)
    assert _post_id(await api.op("CreatePost", POST, token=token)) != first


async def test_a_comment_tapped_twice_is_written_and_counted_once(
    api: Api, runtime: Runtime
) -> None:
    post = await make_post()
    token = token_for(runtime, await make_user())
    said = {"postId": to_global_id("Post", post.id), "body": "同意！"}
    first, second = await asyncio.gather(
        api.op("AddComment", said, token=token), api.op("AddComment", said, token=token)
    )
    ids = {a["data"]["addComment"]["comment"]["id"] for a in (first, second)}
    assert len(ids) == 1
    assert second["data"]["addComment"]["post"]["commentCount"] == 1
    assert await Comment.filter(post_id=post.id).count() == 1
    # A reply with the same words is a comment of its own, once.
    reply = {**said, "replyToId": ids.pop()}
    replies = await asyncio.gather(*(api.op("AddComment", reply, token=token) for _ in range(2)))
    assert len({a["data"]["addComment"]["comment"]["id"] for a in replies}) == 1
    assert await Comment.filter(post_id=post.id).count() == 2


async def test_a_comment_on_an_answer_sent_twice_is_written_once(runtime: Runtime) -> None:
    answer = await make_answer(await make_question())
    member = await make_user()

    async def comment() -> Comment:
        return await add_answer_comment(
            member, answer.id, "有道理", screener=runtime.screener, rules=RULES
        )

    first, second = await asyncio.gather(comment(), comment())
    assert first.id == second.id
    assert await Comment.filter(answer_id=answer.id).count() == 1


async def test_an_answer_sent_twice_is_the_first_not_a_conflict(api: Api, runtime: Runtime) -> None:
    question = await make_question()
    token = token_for(runtime, await make_user())
    said = {"questionId": to_global_id("Post", question.id), "body": "先备份，再升级。"}
    answers = await asyncio.gather(*(api.op("AnswerQuestion", said, token=token) for _ in range(2)))
    assert all("errors" not in a for a in answers), answers
    assert len({a["data"]["answerQuestion"]["answer"]["id"] for a in answers}) == 1
    assert (await Post.get(id=question.id)).answer_count == 1
    # A second, different answer is still one too many.
    other = await api.op("AnswerQuestion", {**said, "body": "直接升级。"}, token=token)
    assert error_codes(other) == ["CONFLICT"]


async def test_a_feedback_ticket_sent_twice_is_filed_once(api: Api, runtime: Runtime) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    ticket = {"input": {"category": "BUG", "content": "签到按钮点了没反应", "contact": ""}}
    filed = await asyncio.gather(*(api.op("SubmitFeedback", ticket, token=token) for _ in range(2)))
    assert len({f["data"]["submitFeedback"]["feedback"]["id"] for f in filed}) == 1
    assert await Feedback.filter(author_id=member.id).count() == 1


async def test_the_same_words_over_other_poll_options_are_a_poll_of_their_own(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    ask = {"kind": "POLL", "body": "周末去哪？", "poll": {"options": ["爬山", "看展"]}}
    first = _post_id(await api.op("CreatePost", {"input": ask}, token=token))
    assert _post_id(await api.op("CreatePost", {"input": ask}, token=token)) == first
    other = {**ask, "poll": {"options": ["爬山", "露营"]}}
    assert _post_id(await api.op("CreatePost", {"input": other}, token=token)) != first


async def test_the_seed_and_importers_write_their_repeated_texts(runtime: Runtime) -> None:
    """What is written with NO_SCREENING (never a member's request) repeats on purpose."""
    author = await make_user()
    post = await make_post(author, "打卡")
    assert (await make_post(author, "打卡")).id != post.id
    first = await add_comment(author, post.id, "顶", screener=NO_SCREENING, rules=RULES)
    again = await add_comment(author, post.id, "顶", screener=NO_SCREENING, rules=RULES)
    assert first.id != again.id


async def test_a_question_sent_again_with_another_bounty_or_topics_is_its_own(
    api: Api, runtime: Runtime
) -> None:
    asker = await make_user()
    async with in_transaction() as conn:
        await points.award(asker.id, 100, PointsReason.FEATURED, "seed", conn, rules=RULES)
    token = token_for(runtime, asker)
    ask = {"kind": "QUESTION", "title": "求助", "body": "怎么办？", "topics": ["新手"]}
    first = _post_id(await api.op("CreatePost", {"input": ask}, token=token))
    richer = {**ask, "bounty": 20}
    assert _post_id(await api.op("CreatePost", {"input": richer}, token=token)) != first
    elsewhere = {**ask, "topics": ["进阶"]}
    assert _post_id(await api.op("CreatePost", {"input": elsewhere}, token=token)) != first
    both = {**ask, "topics": ["新手", "进阶"]}
    twice = [_post_id(await api.op("CreatePost", {"input": both}, token=token)) for _ in "ab"]
    assert twice[0] == twice[1] != first
