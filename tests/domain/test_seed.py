"""The demo community can be seeded any number of times."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from domain import events
from domain.content_calendar import CalendarKind, content_calendar
from domain.models import (
    Event,
    Post,
    ReviewSource,
    ReviewStage,
    ReviewStatus,
    ReviewTask,
    Role,
    User,
)
from quanzi.tools.seed import DEMO_MEMBERS, DEMO_POSTS, seed_demo_community
from quanzi.tools.seed_history import HISTORY_MEMBERS
from tests.factories import RULES


async def test_seeding_twice_creates_the_demo_members_once(runtime: object) -> None:
    first = await seed_demo_community(RULES)
    assert (first["created"], first["posts created"]) == (len(DEMO_MEMBERS), len(DEMO_POSTS) + 2)
    again = await seed_demo_community(RULES)
    assert (again["created"], again["posts created"]) == (0, 0)
    assert (again["posts"], again["comments"]) == (first["posts"], first["comments"])
    reading = await Post.get(title="本月读书会：《百年孤独》")
    assert (reading.like_count, reading.comment_count) == (3, 5)
    assert await User.all().count() == len(DEMO_MEMBERS) + len(HISTORY_MEMBERS)
    admin = await User.get(openid="demo-admin")
    assert (admin.role, admin.nickname) == (Role.ADMIN, "圈主小王")


async def test_the_demo_review_desk_has_work_at_every_stage_an_appeal_and_an_overdue_item(
    runtime: object,
) -> None:
    first = await seed_demo_community(RULES)
    assert first["review tasks opened"] == 6
    assert (await seed_demo_community(RULES))["review tasks opened"] == 0
    open_tasks = await ReviewTask.filter(status=ReviewStatus.OPEN)
    stages = Counter(task.stage for task in open_tasks)
    assert stages == {ReviewStage.FIRST: 3, ReviewStage.SECOND: 1, ReviewStage.FINAL: 2}
    assert [t.source for t in open_tasks if t.appeal] == [ReviewSource.APPEAL]
    assert {t.source for t in open_tasks} == {
        ReviewSource.WORD,
        ReviewSource.REPORT,
        ReviewSource.APPEAL,
    }
    overdue = datetime.now(UTC) - RULES.review_sla(ReviewStage.FIRST)
    assert [t.stage for t in open_tasks if t.stage_entered_at < overdue] == [ReviewStage.FIRST]
    # The demo moderator has something to decide at FIRST and at SECOND.
    moderator = await User.get(openid="demo-moderator")
    assert moderator.role == Role.MODERATOR
    [second] = [t for t in open_tasks if t.stage == ReviewStage.SECOND]
    assert second.first_reviewer_id != moderator.id  # type: ignore[attr-defined]
    assert (await User.get(openid="demo-operator")).role == Role.OPERATOR


async def test_the_demo_calendar_shows_a_month_of_work_and_is_seeded_once(
    runtime: object,
) -> None:
    first = await seed_demo_community(RULES)
    assert first["calendar items created"] == 8
    assert (await seed_demo_community(RULES))["calendar items created"] == 0
    operator = await User.get(openid="demo-operator")
    now = datetime.now(UTC)
    items = await content_calendar(operator, now - timedelta(days=1), now + timedelta(days=30))
    kinds = Counter(item.kind for item in items)
    assert kinds[CalendarKind.SCHEDULED_POST] == 3
    assert kinds[CalendarKind.PIN] == 2 and kinds[CalendarKind.FEATURE] == 2
    assert kinds[CalendarKind.EVENT] == 3 and kinds[CalendarKind.COLLECTION] == 2
    assert kinds[CalendarKind.PUBLISHED_POST] >= 1
    states = {item.title: events.state_of(item.event) for item in items if item.event}
    assert states["雨天露营"] == events.EventState.CANCELLED
    online = await Event.get(title="线上读书分享会")
    assert online.signup_count == 3


async def test_the_demo_member_loop_has_mall_items_tasks_under_way_and_an_open_survey(
    runtime: object,
) -> None:
    from domain import tasks
    from domain.models import CouponCode, MallItem, MemberTask, Survey

    first = await seed_demo_community(RULES)
    assert (first["mall items created"], first["surveys opened"], first["answer comments"]) == (
        3,
        1,
        1,
    )
    again = await seed_demo_community(RULES)
    assert (again["mall items created"], again["surveys opened"], again["answer comments"]) == (
        0,
        0,
        0,
    )
    assert await MallItem.all().count() == 3 and await CouponCode.all().count() == 5
    assert await Survey.all().count() == 1
    alice = await User.get(openid="demo-alice")
    assert await MemberTask.filter(user_id=alice.id, claimed_at__isnull=False).count() == 1
    under_way = await tasks.tasks_of(alice, rules=RULES)
    assert any(t.completed for t in under_way) and not all(t.completed for t in under_way)
