"""The demo community's content calendar: posts scheduled over the coming month, pins (one
global for two weeks, one in a circle for good), a second collection, an online event with
sign-ups and a cancelled one, so that the console's calendar, pins, collections and events
pages show a month of work. Keyed by the texts: a second run adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.circles import is_active_member
from domain.event_changes import cancel_event
from domain.events import EventDraft, create_event, sign_up
from domain.featured import PinScope, add_to_collection, create_collection, pin_post
from domain.models import Circle, Collection, Event, EventKind, ModerationAction, Post, User
from domain.posts import PostDraft, create_post
from domain.publishing import NO_SCREENING  # demo texts, written here, not by members
from domain.rules import CommunityRules
from domain.scheduling import schedule_post

# (days ahead, hour in the community's time zone, title, body)
SCHEDULED = (
    (1, 20, "本周读书会预告", "周六下午三点，《置身事内》第三章，欢迎新朋友 #读书#"),
    (8, 9, "下周活动早知道", "线上读书分享会报名开启，名额 50 人 #社区公告#"),
    (20, 12, "月度精选回顾", "本月最受欢迎的十篇帖子，看看你错过了哪些 #社区公告#"),
)
CIRCLE_POST = ("demo-alice", "周末户外", "周日十渡徒步集合帖：早上七点地铁站 A 口见 #徒步#")
COLLECTION = ("本月精选", "运营精选的本月好帖", ("香山的秋天", "Cardano 质押入门"))
ONLINE_EVENT = ("线上读书分享会", 10, ("demo-chen", "demo-lin", "demo-bob"))
CANCELLED_EVENT = ("雨天露营", 5, ("demo-alice", "demo-dong"), "天气预报有暴雨，改期另行通知")


def _at(rules: CommunityRules, days: int, hour: int) -> datetime:
    """`days` from today at `hour` o'clock on the community's clock."""
    day = rules.calendar.today() + timedelta(days=days)
    return (rules.calendar.start_of(day) + timedelta(hours=hour)).astimezone(UTC)


async def seed_content_calendar(members: dict[str, User], rules: CommunityRules) -> int:
    """Create what is missing; return how many calendar items were created."""
    operator = members["demo-operator"]
    created = 0
    for days, hour, title, body in SCHEDULED:
        if not await Post.exists(author_id=operator.id, body=body):
            draft = PostDraft(body=body, title=title)
            await schedule_post(operator, draft, _at(rules, days, hour), NO_SCREENING, rules=rules)
            created += 1
    welcome = await Post.get_or_none(author_id=operator.id, title="欢迎来到圈子")
    pinned = ModerationAction.filter(action="PIN_GLOBAL", target_type="POST")
    if welcome is not None and not await pinned.filter(target_id=welcome.id).exists():
        await pin_post(operator, welcome.id, PinScope.GLOBAL, _at(rules, 14, 0))
        created += 1
    author, circle_name, body = CIRCLE_POST
    circle = await Circle.get_or_none(name=circle_name)
    writer = members[author]
    if circle is not None and await is_active_member(writer.id, circle.id):
        if not await Post.exists(author_id=writer.id, body=body):
            post = await create_post(
                writer, PostDraft(body=body, circle_id=circle.id), NO_SCREENING, rules=rules
            )
            await pin_post(operator, post.id, PinScope.CIRCLE)
            created += 1
    title, description, post_titles = COLLECTION
    if not await Collection.exists(title=title):
        collection = await create_collection(operator, title, description, screener=NO_SCREENING)
        for post_title in post_titles:
            listed = await Post.get_or_none(title=post_title)
            if listed is not None:
                await add_to_collection(operator, collection.id, listed.id)
        created += 1
    created += await _events(members, rules)
    return created


async def _events(members: dict[str, User], rules: CommunityRules) -> int:
    operator, created = members["demo-operator"], 0
    for title, days, signed, reason in (
        (*ONLINE_EVENT, None),
        CANCELLED_EVENT,
    ):
        if await Event.exists(title=title):
            continue
        start = _at(rules, days, 19)
        event = await create_event(
            operator,
            EventDraft(
                title=title,
                kind=EventKind.ONLINE if reason is None else EventKind.OFFLINE,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                description=f"{title}，欢迎报名。",
                location="腾讯会议" if reason is None else "奥森公园北园",
                capacity=50,
                points_reward=5,
            ),
            NO_SCREENING,
            rules=rules,
        )
        for openid in signed:
            await sign_up(members[openid], event.id)
        if reason is not None:
            await cancel_event(operator, event.id, reason, NO_SCREENING)
        created += 1
    return created
