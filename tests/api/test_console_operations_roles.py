"""Who may use the console's operations side (wave2/console-operations.graphql, the content,
curation, events and dashboard operations built here): operators. A member or a moderator
gets FORBIDDEN for every one and nothing changes; nobody signed in gets UNAUTHENTICATED.
TrendingWithRank reads the public board."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import (
    Circle,
    CircleMember,
    Collection,
    CollectionItem,
    Event,
    ModerationAction,
    Notification,
    Post,
    Role,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    make_circle,
    make_circle_member,
    make_collection,
    make_event,
    make_post,
    make_user,
    token_for,
)

OPERATIONS = [
    "SchedulePost",
    "ReschedulePost",
    "CancelScheduledPost",
    "ContentCalendar",
    "PinnedPosts",
    "UpdateCollection",
    "MoveInCollection",
    "DeleteCollection",
    "RejectCircleMember",
    "SetCircleAdmin",
    "UpdateEvent",
    "CancelEvent",
    "EventRoster",
    "WeeklyCohorts",
    "RecommenderModels",
    "JobRuns",
    "RefreshRetentionSignals",
    "SegmentsWithTime",
]


async def _snapshot(runtime: Runtime) -> dict[str, object]:
    return {
        "posts": await Post.all().values("id", "status", "publish_at"),
        "collections": await Collection.all().values("id", "title"),
        "items": await CollectionItem.all().values("post_id", "position"),
        "circles": await Circle.all().values("id", "member_count"),
        "members": await CircleMember.all().values("user_id", "role", "status"),
        "events": await Event.all().values("id", "title", "cancelled_at"),
        "notifications": await Notification.all().count(),
        "log": await ModerationAction.all().count(),
        "queue": await runtime.redis.llen(runtime.settings.redis_prefix + "jobs"),
    }


async def test_members_and_moderators_are_forbidden_the_operations_side(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    scheduled = await make_post(operator, "预告")
    await Post.filter(id=scheduled.id).update(
        status="SCHEDULED", publish_at=datetime.now(UTC) + timedelta(hours=1)
    )
    post = await make_post(operator, "收录的帖子")
    collection = await make_collection(operator, posts=[post])
    circle = await make_circle(operator)
    member = await make_user()
    await make_circle_member(circle, member)
    event = await make_event(operator, signed_up=[member])
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    pid, cid = to_global_id("Post", scheduled.id), to_global_id("Collection", collection.id)
    circle_id, user_id = to_global_id("Circle", circle.id), to_global_id("User", member.id)
    event_id = to_global_id("Event", event.id)
    variables = {
        "SchedulePost": {"input": {"body": "偷偷预约"}, "publishAt": soon},
        "ReschedulePost": {"postId": pid, "publishAt": soon},
        "CancelScheduledPost": {"postId": pid},
        "ContentCalendar": {"from": datetime.now(UTC).isoformat(), "to": soon},
        "PinnedPosts": {},
        "UpdateCollection": {"id": cid, "input": {"title": "改名"}},
        "MoveInCollection": {
            "collectionId": cid,
            "postId": to_global_id("Post", post.id),
            "position": 0,
        },
        "DeleteCollection": {"id": cid},
        "RejectCircleMember": {"circleId": circle_id, "userId": user_id},
        "SetCircleAdmin": {"circleId": circle_id, "userId": user_id, "admin": True},
        "UpdateEvent": {"id": event_id, "input": {"title": "改名"}},
        "CancelEvent": {"id": event_id, "reason": "不办了"},
        "EventRoster": {"eventId": event_id},
        "WeeklyCohorts": {"from": "2026-01-05", "to": "2026-02-01", "days": [0, 1]},
        "RecommenderModels": {},
        "JobRuns": {},
        "RefreshRetentionSignals": {},
        "SegmentsWithTime": {},
    }
    assert sorted(variables) == sorted(OPERATIONS)
    before = await _snapshot(runtime)
    for role in (Role.MEMBER, Role.MODERATOR):
        token = token_for(runtime, await make_user(role=role))
        for name in OPERATIONS:
            result = await api.op(name, variables[name], token=token)
            # (SegmentsWithTime asks two fields: each is refused.)
            assert set(error_codes(result)) == {"FORBIDDEN"}, (role, name, result)
    for name in OPERATIONS:
        codes = error_codes(await api.op(name, variables[name]))
        assert set(codes) == {"UNAUTHENTICATED"}, name
    assert await _snapshot(runtime) == before
    # The trending board is public (TrendingWithRank).
    board = await api.op("TrendingWithRank", {"first": 5})
    assert "errors" not in board
