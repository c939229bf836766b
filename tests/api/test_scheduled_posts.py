"""Scheduled publishing (wave2/console-operations.graphql): an operator's post stored SCHEDULED,
seen by its author and staff only, then published by the job as if written then, once even
when two workers race; rescheduling, cancelling (its bounty back) and the window's rules."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from api.ids import from_global_id, to_global_id
from domain import points, scheduling
from domain.models import (
    Notification,
    NotificationKind,
    PointsEntry,
    PointsReason,
    Post,
    PostStatus,
    ReviewTask,
    Role,
    Topic,
    User,
    WordLevel,
)
from domain.posts import PostDraft
from domain.publishing import NO_SCREENING
from domain.screening import add_words
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_post, make_user, token_for

WORD = "定时草"
TOPIC = "定时话题"


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


async def _schedule(
    api: Api, token: str, delta: timedelta = timedelta(minutes=10), **input: Any
) -> dict[str, Any]:
    variables = {"input": {"body": f"{WORD} 明早发布 #{TOPIC}#", **input}, "publishAt": _at(delta)}
    return await api.op("SchedulePost", variables, token=token)


def _ids(connection: dict[str, Any]) -> set[str]:
    return {edge["node"]["id"] for edge in connection["edges"]}


async def _lists(api: Api, token: str | None, author_gid: str) -> dict[str, set[str]]:
    """Every list a post can show up in, by name (anonymous callers skip FOLLOWING)."""
    lists: dict[str, set[str]] = {}
    for kind in ("LATEST", "HOT", "RECOMMENDED", "FOLLOWING"):
        result = await api.op("Feed", {"kind": kind, "first": 50}, token=token)
        if result.get("data"):
            lists[f"feed {kind}"] = _ids(result["data"]["feed"])
    for order in ("LATEST", "HOT"):
        result = await api.op("TopicFeed", {"name": TOPIC, "orderBy": order}, token=token)
        topic = result["data"]["topic"]
        lists[f"topic {order}"] = _ids(topic["posts"]) if topic else set()
    result = await api.op("Search", {"query": WORD, "kind": "POSTS"}, token=token)
    lists["search"] = _ids(result["data"]["search"])
    profile = await api.op("UserProfile", {"id": author_gid, "first": 50}, token=token)
    lists["profile"] = _ids(profile["data"]["user"]["posts"])
    return lists


POST_BY_ID = "query($id: ID!) { post(id: $id) { id status publishAt } node(id: $id) { id } }"


async def test_a_scheduled_post_is_seen_by_its_author_and_staff_only_until_it_goes_out(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR, nickname="运营")
    follower, moderator = await make_user(), await make_user(role=Role.MODERATOR)
    tokens = {
        "anonymous": None,
        "follower": token_for(runtime, follower),
        "author": token_for(runtime, operator),
        "moderator": token_for(runtime, moderator),
    }
    author_gid = to_global_id("User", operator.id)
    follow = await api.op("FollowUser", {"userId": author_gid}, token=tokens["follower"])
    assert "errors" not in follow
    result = await _schedule(api, tokens["author"], timedelta(hours=2))
    post = result["data"]["schedulePost"]["post"]
    assert post["status"] == "SCHEDULED"
    at = datetime.fromisoformat(post["publishAt"])
    assert abs(at - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(seconds=30)
    # Nothing counts it yet: its author's posts, its topic, the points ledger.
    assert (await User.get(id=operator.id)).post_count == 0
    assert (await Topic.get(name=TOPIC)).post_count == 0
    assert not await PointsEntry.filter(user_id=operator.id).exists()
    await api.op("Feed", {"kind": "HOT"})  # a HOT snapshot taken while it waits
    for viewer, token in tokens.items():
        lists = await _lists(api, token, author_gid)
        for name, ids in lists.items():
            expected = viewer == "author" and name == "profile"  # their own list of posts
            assert (post["id"] in ids) is expected, (viewer, name)
        data = (await api.execute(POST_BY_ID, {"id": post["id"]}, token=token))["data"]
        if viewer in ("author", "moderator"):
            assert data["post"]["status"] == "SCHEDULED" and data["node"] == {"id": post["id"]}
        else:
            assert data == {"post": None, "node": None}, viewer
    # Nobody interacts with it before it is out.
    for name, variables in (
        ("LikePost", {"postId": post["id"]}),
        ("AddComment", {"postId": post["id"], "body": "抢沙发"}),
        ("SharePost", {"postId": post["id"], "channel": "COPY_LINK"}),
    ):
        assert error_codes(await api.op(name, variables, token=tokens["moderator"])) == [
            "NOT_FOUND"
        ], name

    earlier = await make_post(await make_user(), "在它之前写的帖子")
    due = at + timedelta(seconds=1)  # publishAt is given to the millisecond
    published = await scheduling.publish_due(NO_SCREENING, rules=RULES, now=due)
    assert published == [from_global_id(post["id"])[1]]
    for viewer, token in tokens.items():
        lists = await _lists(api, token, author_gid)
        for name in ("feed LATEST", "topic LATEST", "search", "profile"):
            assert post["id"] in lists[name], (viewer, name)
        if viewer in ("follower", "author"):  # their followed author's, their own
            assert post["id"] in lists["feed FOLLOWING"], viewer
    latest = await api.op("Feed", {"kind": "LATEST", "first": 2})
    first_two = [edge["node"] for edge in latest["data"]["feed"]["edges"]]
    # As if written when it went out: newer than a post written while it waited.
    assert [p["id"] for p in first_two] == [post["id"], to_global_id("Post", earlier.id)]
    assert datetime.fromisoformat(first_two[0]["createdAt"]) > earlier.created_at
    assert first_two[0]["status"] == "PUBLISHED"
    assert (await User.get(id=operator.id)).post_count == 1
    assert (await Topic.get(name=TOPIC)).post_count == 1
    earned = await PointsEntry.filter(user_id=operator.id).values_list("reason", flat=True)
    assert earned == [PointsReason.POST]
    badge = await Notification.filter(recipient_id=operator.id, kind=NotificationKind.BADGE)
    assert [n.snippet for n in badge] == ["FIRST_POST"]
    # Published once: the job's next run finds nothing more to do.
    assert await scheduling.publish_due(NO_SCREENING, rules=RULES, now=due) == []


async def _due_posts(operator: User, count: int) -> list[int]:
    """Posts scheduled as the API does, then made due (their minute has come)."""
    ids = []
    for n in range(count):
        post = await scheduling.schedule_post(
            operator,
            PostDraft(body=f"到点发布 {n} #{TOPIC}#"),
            datetime.now(UTC) + timedelta(minutes=5),
            NO_SCREENING,
            rules=RULES,
        )
        ids.append(post.id)
    await Post.filter(id__in=ids).update(publish_at=datetime.now(UTC) - timedelta(seconds=1))
    return ids


async def test_two_workers_racing_publish_each_due_post_exactly_once(runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    ids = await _due_posts(operator, 6)
    first, second = await asyncio.gather(
        scheduling.publish_due(NO_SCREENING, rules=RULES),
        scheduling.publish_due(NO_SCREENING, rules=RULES),
    )
    assert sorted(first + second) == sorted(ids)  # every post, by one run or the other
    assert not set(first) & set(second)
    # One post raced by two publishers directly, too: one wins, one finds it gone.
    [raced] = await _due_posts(operator, 1)
    outcomes = await asyncio.gather(
        scheduling.publish(raced, NO_SCREENING, rules=RULES),
        scheduling.publish(raced, NO_SCREENING, rules=RULES),
    )
    assert sorted(outcomes) == [False, True]
    assert (await User.get(id=operator.id)).post_count == 7
    assert (await Topic.get(name=TOPIC)).post_count == 7
    post_awards = await PointsEntry.filter(user_id=operator.id, reason=PointsReason.POST).count()
    assert post_awards == RULES.post_daily  # 7 posts, 5 of them paid: the daily cap, once each


async def test_scheduling_is_for_operators_and_writes_nothing_for_anyone_else(
    api: Api, runtime: Runtime
) -> None:
    for role in (Role.MEMBER, Role.MODERATOR):
        token = token_for(runtime, await make_user(role=role))
        assert error_codes(await _schedule(api, token)) == ["FORBIDDEN"], role
    anonymous = await _schedule(api, None)  # type: ignore[arg-type]
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert not await Post.exists()
    assert not await Topic.exists()


async def test_publish_at_is_one_minute_to_ninety_days_ahead_and_a_poll_closes_after_it(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    for delta in (timedelta(seconds=20), timedelta(minutes=-5), timedelta(days=91)):
        result = await _schedule(api, token, delta)
        assert error_codes(result) == ["BAD_USER_INPUT"], delta
        assert result["errors"][0]["extensions"]["field"] == "publishAt"
    poll = {
        "kind": "POLL",
        "poll": {"options": ["去", "不去"], "closesAt": _at(timedelta(minutes=30))},
    }
    late = await _schedule(api, token, timedelta(hours=1), **poll)
    assert error_codes(late) == ["BAD_USER_INPUT"]
    assert late["errors"][0]["extensions"]["field"] == "poll.closesAt"
    assert not await Post.exists()
    for delta in (timedelta(minutes=1), timedelta(days=90) - timedelta(seconds=5)):
        assert "errors" not in await _schedule(api, token, delta), delta
    ok = await _schedule(api, token, timedelta(minutes=10), **poll)
    assert ok["data"]["schedulePost"]["post"]["status"] == "SCHEDULED"
    # A poll still closes after its post goes out, when it is moved too.
    moved = await api.op(
        "ReschedulePost",
        {"postId": ok["data"]["schedulePost"]["post"]["id"], "publishAt": _at(timedelta(hours=1))},
        token=token,
    )
    assert error_codes(moved) == ["BAD_USER_INPUT"]
    assert moved["errors"][0]["extensions"]["field"] == "publishAt"


async def test_scheduled_text_is_screened_now_and_what_needs_review_is_refused(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    await add_words(operator, runtime.store, ["代购"], WordLevel.REVIEW)
    await add_words(operator, runtime.store, ["赌博"], WordLevel.BLOCK)
    token = token_for(runtime, operator)
    for body in ("海外代购", "线上赌博"):
        result = await api.op(
            "SchedulePost",
            {"input": {"body": body}, "publishAt": _at(timedelta(hours=1))},
            token=token,
        )
        assert error_codes(result) == ["CONTENT_REJECTED"], body
    assert not await Post.exists()
    # Editing it later is held to the same rule: it stays scheduled, unchanged.
    post = (await _schedule(api, token))["data"]["schedulePost"]["post"]
    edit = await api.op("EditPost", {"id": post["id"], "input": {"body": "改成代购"}}, token=token)
    assert error_codes(edit) == ["CONTENT_REJECTED"]
    kept = await Post.get(id=from_global_id(post["id"])[1])
    assert kept.status == PostStatus.SCHEDULED and kept.body.startswith(WORD)


async def test_words_added_while_it_waited_hold_the_post_for_review_when_its_time_comes(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    post = (await _schedule(api, token_for(runtime, operator)))["data"]["schedulePost"]["post"]
    await add_words(operator, runtime.store, [WORD], WordLevel.BLOCK)
    pk = from_global_id(post["id"])[1]
    await Post.filter(id=pk).update(publish_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await scheduling.publish_due(runtime.screener, rules=RULES) == [pk]
    held = await Post.get(id=pk)
    assert held.status == PostStatus.PENDING_REVIEW
    assert await ReviewTask.filter(target_id=pk, status="OPEN").exists()
    assert (await User.get(id=operator.id)).post_count == 0
    assert not await PointsEntry.filter(user_id=operator.id).exists()


async def test_a_cancelled_post_is_deleted_and_its_bounty_goes_back(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    async with in_transaction() as conn:
        await points.award(operator.id, 100, PointsReason.FEATURED, "seed", conn, rules=RULES)
    token = token_for(runtime, operator)
    asked = await _schedule(api, token, kind="QUESTION", title="周末去哪？", bounty=30)
    question = asked["data"]["schedulePost"]["post"]
    assert (await User.get(id=operator.id)).points == 70  # escrowed when scheduled
    other = token_for(runtime, await make_user(role=Role.OPERATOR))  # the calendar is shared
    cancelled = await api.op("CancelScheduledPost", {"postId": question["id"]}, token=other)
    assert cancelled["data"]["cancelScheduledPost"]["post"] == {
        "id": question["id"],
        "status": "DELETED",
    }
    assert (await User.get(id=operator.id)).points == 100
    again = await api.op("CancelScheduledPost", {"postId": question["id"]}, token=other)
    assert error_codes(again) == ["NOT_FOUND"]
    pk = from_global_id(question["id"])[1]
    assert (
        await scheduling.publish_due(
            NO_SCREENING, rules=RULES, now=datetime.now(UTC) + timedelta(days=1)
        )
        == []
    )
    assert (await Post.get(id=pk)).status == PostStatus.DELETED


async def test_rescheduling_moves_the_post_until_it_has_gone_out(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    post = (await _schedule(api, token))["data"]["schedulePost"]["post"]
    later = _at(timedelta(days=3))
    moved = await api.op("ReschedulePost", {"postId": post["id"], "publishAt": later}, token=token)
    payload = moved["data"]["reschedulePost"]["post"]
    assert payload["status"] == "SCHEDULED"
    moved_to = datetime.fromisoformat(payload["publishAt"])
    assert abs(moved_to - datetime.fromisoformat(later)) < timedelta(milliseconds=1)
    too_far = {"postId": post["id"], "publishAt": _at(timedelta(days=100))}
    result = await api.op("ReschedulePost", too_far, token=token)
    assert error_codes(result) == ["BAD_USER_INPUT"]
    member = token_for(runtime, await make_user())
    again = {"postId": post["id"], "publishAt": _at(timedelta(days=2))}
    assert error_codes(await api.op("ReschedulePost", again, token=member)) == ["FORBIDDEN"]
    pk = from_global_id(post["id"])[1]
    await Post.filter(id=pk).update(publish_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await scheduling.publish_due(NO_SCREENING, rules=RULES) == [pk]
    gone_out = await api.op("ReschedulePost", again, token=token)
    assert error_codes(gone_out) == ["CONFLICT"]
    assert error_codes(
        await api.op("CancelScheduledPost", {"postId": post["id"]}, token=token)
    ) == ["CONFLICT"]
    assert (await Post.get(id=pk)).status == PostStatus.PUBLISHED
