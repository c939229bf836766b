"""The points economy end to end: awards and caps, likes given back, check-in streaks across
the day boundary, bounties in escrow, invitations, badges, leaderboards, and a storm."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from api.ids import to_global_id
from domain import points
from domain.checkins import check_in
from domain.models import Checkin, PointsEntry, PointsReason, Post, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, grant_points, make_post, make_user, token_for
from tests.wechat_stub import WeChatStub


async def ledger_sum(user_id: int) -> int:
    return sum(await PointsEntry.filter(user_id=user_id).values_list("amount", flat=True))


async def test_posts_earn_five_points_each_up_to_five_a_day(api: Api, runtime: Runtime) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    for i in range(6):
        await api.op("CreatePost", {"input": {"body": f"第{i}篇"}}, token=token)
    viewer = (await api.op("Viewer", token=token))["data"]["viewer"]
    assert viewer["points"] == 25 and viewer["level"] == 1
    history = await api.op("PointsHistory", {"first": 10}, token=token)
    entries = [e["node"] for e in history["data"]["pointsHistory"]["edges"]]
    assert [(e["amount"], e["reason"], e["balanceAfter"]) for e in entries] == [
        (5, "POST", 25),
        (5, "POST", 20),
        (5, "POST", 15),
        (5, "POST", 10),
        (5, "POST", 5),
    ]
    assert [b["code"] for b in viewer["badges"]] == ["FIRST_POST"]
    assert viewer["badges"][0]["name"] == "初次发帖"


async def test_badges_and_their_notification_read_in_the_clients_language(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    await api.op("CreatePost", {"input": {"body": "第一篇"}}, token=token)
    english = (await api.op("Viewer", token=token, lang="en"))["data"]["viewer"]
    assert [(b["code"], b["name"], b["description"]) for b in english["badges"]] == [
        ("FIRST_POST", "First post", "Published a first post")
    ]
    inbox = await api.op("Notifications", {"first": 5}, token=token, lang="en")
    texts = [e["node"]["text"] for e in inbox["data"]["notifications"]["edges"]]
    assert texts == [  # newest first: the onboarding task the post completed, then the badge
        "You completed the task “Write your first post”: claim its reward in the task centre",
        "You earned a badge: First post",
    ]
    chinese = await api.op("Notifications", {"first": 5}, token=token)
    edges = chinese["data"]["notifications"]["edges"]
    assert [e["node"]["text"] for e in edges] == [
        "你完成了新手任务「发布第一条帖子」，快去任务中心领取奖励",
        "你获得了新徽章：初次发帖",
    ]


async def test_comments_and_answers_share_a_cap_of_ten_a_day(api: Api, runtime: Runtime) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    post = await make_post(await make_user(), "讨论帖")
    for i in range(8):
        await api.op(
            "AddComment", {"postId": to_global_id("Post", post.id), "body": f"评论{i}"}, token=token
        )
    for i in range(4):
        question = await make_post(await make_user(), f"问题{i}", title=f"问题{i}", kind="QUESTION")
        await api.op(
            "AnswerQuestion",
            {"questionId": to_global_id("Post", question.id), "body": "回答"},
            token=token,
        )
    await member.refresh_from_db()
    assert member.points == 20 == await ledger_sum(member.id)


async def test_likes_earn_a_point_that_goes_back_with_the_like_the_same_day(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    post = await make_post(author, "求赞")
    fan = token_for(runtime, await make_user())
    gid = {"postId": to_global_id("Post", post.id)}
    await api.op("LikePost", gid, token=fan)
    await author.refresh_from_db()
    assert author.points == 5 + 1
    await api.op("UnlikePost", gid, token=fan)
    await author.refresh_from_db()
    assert author.points == 5
    await api.op("LikePost", gid, token=fan)  # liking again earns nothing more
    await author.refresh_from_db()
    assert author.points == 5
    await api.op("LikePost", gid, token=token_for(runtime, author))  # nor does a self-like
    await author.refresh_from_db()
    assert author.points == 5 == await ledger_sum(author.id)
    reasons = await PointsEntry.filter(user_id=author.id).values_list("reason", flat=True)
    assert sorted(reasons) == ["LIKE_RECEIVED", "LIKE_WITHDRAWN", "POST"]


async def test_a_like_withdrawn_on_a_later_day_keeps_its_point(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    post = await make_post(author, "昨天的赞")
    fan = token_for(runtime, await make_user())
    await api.op("LikePost", {"postId": to_global_id("Post", post.id)}, token=fan)
    yesterday = RULES.calendar.today() - timedelta(days=1)
    await PointsEntry.filter(reason=PointsReason.LIKE_RECEIVED).update(day=yesterday)
    await api.op("UnlikePost", {"postId": to_global_id("Post", post.id)}, token=fan)
    await author.refresh_from_db()
    assert author.points == 6


async def test_likes_received_stop_earning_at_fifty_a_day(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    post = await make_post(author, "热门帖")
    fans = [await make_user() for _ in range(52)]
    from domain.likes import like_post, unlike_post

    for fan in fans:
        await like_post(fan, post.id, rules=RULES)
    await author.refresh_from_db()
    assert author.points == 5 + 50
    await unlike_post(
        fans[-1], post.id, rules=RULES
    )  # its like earned nothing: nothing to take back
    await author.refresh_from_db()
    assert author.points == 55 == await ledger_sum(author.id)


async def test_check_in_streaks_follow_the_community_calendar(runtime: Runtime) -> None:
    member = await make_user()
    # 23:30 and 00:30 in Shanghai: the same UTC day, two community days.
    first = await check_in(member, rules=RULES, now=datetime(2026, 3, 1, 15, 30, tzinfo=UTC))
    second = await check_in(member, rules=RULES, now=datetime(2026, 3, 1, 16, 30, tzinfo=UTC))
    assert (first.streak, second.streak) == (1, 2)
    assert first.points_awarded == 2
    again = None
    try:
        await check_in(member, rules=RULES, now=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    except Exception as exc:
        again = exc
    assert type(again).__name__ == "Conflict"
    skipped = await check_in(member, rules=RULES, now=datetime(2026, 3, 3, 16, 30, tzinfo=UTC))
    assert skipped.streak == 1
    await member.refresh_from_db()
    assert member.points == 6 == await ledger_sum(member.id)


async def test_the_seventh_day_in_a_row_earns_the_bonus_and_a_badge(runtime: Runtime) -> None:
    member = await make_user()
    start = datetime(2026, 4, 1, 4, 0, tzinfo=UTC)
    results = [await check_in(member, rules=RULES, now=start + timedelta(days=d)) for d in range(7)]
    assert [r.streak for r in results] == [1, 2, 3, 4, 5, 6, 7]
    assert results[-1].points_awarded == 2 + 5
    await member.refresh_from_db()
    assert member.points == 7 * 2 + 5
    assert await Checkin.filter(user_id=member.id).count() == 7


async def test_check_in_through_the_api(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    result = await api.op("CheckIn", token=token)
    assert result["data"]["checkIn"]["streak"] == 1
    assert result["data"]["checkIn"]["pointsAwarded"] == 2
    viewer = result["data"]["checkIn"]["viewer"]
    assert (viewer["checkedInToday"], viewer["checkinStreak"], viewer["points"]) == (True, 1, 2)
    again = await api.op("CheckIn", token=token)
    assert error_codes(again) == ["CONFLICT"]
    other = await api.op("CheckIn", token=token_for(runtime, await make_user()))
    assert other["data"]["checkIn"]["streak"] == 1


async def test_a_bounty_is_escrowed_paid_to_the_accepted_answer_or_refunded(
    api: Api, runtime: Runtime
) -> None:
    asker = await make_user()
    token = token_for(runtime, asker)
    ask = {"input": {"kind": "QUESTION", "title": "求助", "body": "怎么办？", "bounty": 30}}
    poor = await api.op("CreatePost", ask, token=token)
    assert poor["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "bounty"}
    assert await Post.all().count() == 0
    await grant_points(asker, 100, "seed:asker")
    asked = await api.op("CreatePost", ask, token=token)
    question = asked["data"]["createPost"]["post"]
    assert question["bounty"] == 30
    await asker.refresh_from_db()
    assert asker.points == 100 - 30 + 5
    helper = await make_user()
    answer = await api.op(
        "AnswerQuestion",
        {"questionId": question["id"], "body": "这样做"},
        token=token_for(runtime, helper),
    )
    answer_id = answer["data"]["answerQuestion"]["answer"]["id"]
    accepted = await api.op("AcceptAnswer", {"answerId": answer_id}, token=token)
    assert accepted["data"]["acceptAnswer"]["question"]["bounty"] == 30
    await helper.refresh_from_db()
    assert helper.points == 2 + 15 + 30
    # A second question, deleted unanswered, gives its bounty back.
    again = {"input": {**ask["input"], "title": "再求助"}}  # another question, not a resend
    second = await api.op("CreatePost", again, token=token)
    await asker.refresh_from_db()
    before = asker.points
    await api.op("DeletePost", {"id": second["data"]["createPost"]["post"]["id"]}, token=token)
    await asker.refresh_from_db()
    assert asker.points == before + 30
    for member in (asker, helper):
        assert member.points == await ledger_sum(member.id)
    bad = await api.op("CreatePost", {"input": {"body": "普通帖", "bounty": 5}}, token=token)
    assert bad["errors"][0]["extensions"]["field"] == "bounty"


async def test_an_invitation_pays_once_the_invitee_posts(
    api: Api, runtime: Runtime, wechat: WeChatStub
) -> None:
    inviter = await make_user()
    wechat.issue_code("c", openid="o-invitee")
    signed = await api.op("WechatLogin", {"code": "c", "inviteCode": inviter.invite_code})
    token = signed["data"]["wechatLogin"]["token"]
    await inviter.refresh_from_db()
    assert (inviter.invited_count, inviter.points) == (1, 0)
    for body in ("第一帖", "第二帖"):
        await api.op("CreatePost", {"input": {"body": body}}, token=token)
    await inviter.refresh_from_db()
    assert inviter.points == 20
    viewer = await api.op("Viewer", token=token_for(runtime, inviter))
    assert viewer["data"]["viewer"]["invitedCount"] == 1
    assert "INVITER" in [b["code"] for b in viewer["data"]["viewer"]["badges"]]


async def test_featuring_pays_the_author_and_badges_show_on_profiles(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    post = await make_post(author, "精选候选")
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    for _ in range(2):
        await api.op("FeaturePost", {"postId": to_global_id("Post", post.id)}, token=operator)
    await author.refresh_from_db()
    assert author.points == 5 + 20
    profile = await api.op("UserProfile", {"id": to_global_id("User", author.id)})
    codes = {b["code"] for b in profile["data"]["user"]["badges"]}
    assert codes == {"FIRST_POST", "FEATURED_AUTHOR"}


async def test_leaderboards_rank_points_earned_and_survive_a_lost_redis(
    api: Api, runtime: Runtime
) -> None:
    top, second = await make_user(nickname="第一名"), await make_user(nickname="第二名")
    await grant_points(top, 50, "a")
    await grant_points(second, 20, "b")
    async with in_transaction() as conn:  # escrow moves points, it does not earn them
        await points.award(top.id, -30, PointsReason.BOUNTY_ESCROW, "escrow", conn, rules=RULES)
    for period in ("WEEK", "MONTH", "ALL"):
        board = await api.op("Leaderboard", {"period": period, "first": 10})
        rows = [
            (r["rank"], r["points"], r["user"]["nickname"]) for r in board["data"]["leaderboard"]
        ]
        assert rows == [(1, 50, "第一名"), (2, 20, "第二名")], period
    async for key in runtime.redis.scan_iter(match=runtime.store.key("leaderboard", "*")):
        await runtime.redis.delete(key)
    board = await api.op("Leaderboard", {"period": "WEEK", "first": 1})
    assert [r["user"]["nickname"] for r in board["data"]["leaderboard"]] == ["第一名"]


async def test_a_storm_of_concurrent_actions_keeps_every_balance_equal_to_its_ledger(
    api: Api, runtime: Runtime
) -> None:
    members = [await make_user() for _ in range(8)]
    for m in members:
        await grant_points(m, 40, f"seed:{m.id}")
    posts = [await make_post(m, f"帖子{m.id}") for m in members[:4]]
    questions = []
    for m in members[4:6]:
        q = await api.op(
            "CreatePost",
            {"input": {"kind": "QUESTION", "title": "悬赏", "body": "急", "bounty": 10}},
            token=token_for(runtime, m),
        )
        questions.append((m, q["data"]["createPost"]["post"]["id"]))
    answers = []
    for (asker, qid), helper in zip(questions, members[6:8], strict=True):
        a = await api.op(
            "AnswerQuestion", {"questionId": qid, "body": "答"}, token=token_for(runtime, helper)
        )
        answers.append((asker, a["data"]["answerQuestion"]["answer"]["id"]))
    rng = random.Random(11)
    calls = []
    for _ in range(160):
        m = rng.choice(members)
        token = token_for(runtime, m)
        kind = rng.choice(["like", "unlike", "post", "checkin", "accept", "award"])
        if kind in ("like", "unlike"):
            op = "LikePost" if kind == "like" else "UnlikePost"
            calls.append(
                api.op(op, {"postId": to_global_id("Post", rng.choice(posts).id)}, token=token)
            )
        elif kind == "post":
            calls.append(api.op("CreatePost", {"input": {"body": "风暴"}}, token=token))
        elif kind == "checkin":
            calls.append(api.op("CheckIn", token=token))
        elif kind == "accept":
            asker, answer_id = rng.choice(answers)
            calls.append(
                api.op("AcceptAnswer", {"answerId": answer_id}, token=token_for(runtime, asker))
            )
        else:  # the same idempotency key sent again and again
            calls.append(grant_points(m, 3, f"retry:{m.id}"))
    await asyncio.gather(*calls)
    for m in members:
        await m.refresh_from_db()
        assert m.points == await ledger_sum(m.id), m.id
        assert m.points >= 0
        balances = (
            await PointsEntry.filter(user_id=m.id)
            .order_by("id")
            .values_list("amount", "balance_after")
        )
        running = 0
        for amount, after in balances:
            running += amount
            assert after == running >= 0
    assert await PointsEntry.filter(reason=PointsReason.BOUNTY_PAID).count() <= 2
