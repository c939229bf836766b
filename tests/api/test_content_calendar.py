"""The content calendar (ContentCalendar) and the pins in force (PinnedPosts): what operators
put out, or will, by kind and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api.ids import to_global_id
from domain import event_changes, featured, scheduling
from domain.featured import PinScope
from domain.models import Post, Role
from domain.posts import PostDraft
from domain.publishing import NO_SCREENING
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    RULES,
    make_circle,
    make_collection,
    make_event,
    make_post,
    make_user,
    token_for,
)


def _window(days_before: int = 1, days_after: int = 30) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "from": (now - timedelta(days=days_before)).isoformat(),
        "to": (now + timedelta(days=days_after)).isoformat(),
    }


async def _calendar(api: Api, token: str, window: dict[str, str]) -> list[dict[str, Any]]:
    result = await api.op("ContentCalendar", window, token=token)
    assert "errors" not in result, result
    return result["data"]["contentCalendar"]


async def _scheduled(operator: Any, body: str, ahead: timedelta) -> Post:
    return await scheduling.schedule_post(
        operator, PostDraft(body=body), datetime.now(UTC) + ahead, NO_SCREENING, rules=RULES
    )


async def test_the_calendar_shows_each_kind_of_item_in_its_range_by_start_time(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    soon = await _scheduled(operator, "下周的预告", timedelta(days=2))
    far = await _scheduled(operator, "下下月的预告", timedelta(days=50))
    called_off = await _scheduled(operator, "取消的预告", timedelta(days=3))
    await scheduling.cancel_scheduled_post(operator, called_off.id, rules=RULES)
    announcement = await make_post(operator, "运营发的公告：" + "很长" * 20)
    by_member = await make_post(await make_user(), "成员的帖子")
    pinned_until = datetime.now(UTC) + timedelta(days=3)
    await featured.pin_post(operator, announcement.id, PinScope.GLOBAL, pinned_until)
    circle = await make_circle(operator)
    in_circle = await make_post(operator, "圈内置顶", circle_id=circle.id)
    await featured.pin_post(operator, in_circle.id, PinScope.CIRCLE)
    await featured.feature_post(operator, by_member.id, rules=RULES)
    event = await make_event(operator, "线下聚会", starts_in=timedelta(days=5))
    cancelled = await make_event(operator, "取消的活动", starts_in=timedelta(days=6))
    await event_changes.cancel_event(operator, cancelled.id, "下雨", NO_SCREENING)
    collection = await make_collection(operator, "本周专题")

    items = await _calendar(api, token, _window())
    seen = {(i["kind"], i["id"]) for i in items}
    post_gid = to_global_id("Post", soon.id)
    assert ("SCHEDULED_POST", post_gid) in seen
    assert ("SCHEDULED_POST", to_global_id("Post", far.id)) not in seen  # outside the range
    assert not any(i["id"] == to_global_id("Post", called_off.id) for i in items)
    announcement_gid = to_global_id("Post", announcement.id)
    assert ("PUBLISHED_POST", announcement_gid) in seen
    assert ("PUBLISHED_POST", to_global_id("Post", by_member.id)) not in seen  # not staff's
    assert ("PIN", announcement_gid) in seen and ("PIN", to_global_id("Post", in_circle.id)) in seen
    assert ("FEATURE", to_global_id("Post", by_member.id)) in seen
    assert ("EVENT", to_global_id("Event", event.id)) in seen
    assert ("COLLECTION", to_global_id("Collection", collection.id)) in seen
    starts = [datetime.fromisoformat(i["startsAt"]) for i in items]
    assert starts == sorted(starts)

    by_kind = {(i["kind"], i["id"]): i for i in items}
    scheduled = by_kind[("SCHEDULED_POST", post_gid)]
    assert scheduled["post"] == {"id": post_gid, "title": "", "status": "SCHEDULED"}
    assert scheduled["title"] == "下周的预告" and scheduled["endsAt"] is None
    assert abs(datetime.fromisoformat(scheduled["startsAt"]) - soon.publish_at) < timedelta(
        milliseconds=1
    )  # type: ignore[operator]
    pin = by_kind[("PIN", announcement_gid)]
    assert abs(datetime.fromisoformat(pin["endsAt"]) - pinned_until) < timedelta(milliseconds=1)
    assert by_kind[("PIN", to_global_id("Post", in_circle.id))]["endsAt"] is None  # for good
    shortened = by_kind[("PUBLISHED_POST", announcement_gid)]["title"]
    assert len(shortened) == 30 and shortened.endswith("…")  # its first words
    shown = by_kind[("EVENT", to_global_id("Event", event.id))]
    assert shown["event"] == {"id": shown["id"], "title": "线下聚会", "state": "UPCOMING"}
    assert datetime.fromisoformat(shown["endsAt"]) > datetime.fromisoformat(shown["startsAt"])
    gone = by_kind[("EVENT", to_global_id("Event", cancelled.id))]
    assert gone["event"]["state"] == "CANCELLED"
    listed = by_kind[("COLLECTION", to_global_id("Collection", collection.id))]
    assert listed["collection"] == {"id": listed["id"], "title": "本周专题"}
    assert listed["post"] is None and listed["event"] is None

    later = await _calendar(api, token, _window(days_before=-40, days_after=60))
    assert [(i["kind"], i["id"]) for i in later] == [
        ("PIN", to_global_id("Post", in_circle.id)),  # pinned for good: in every range
        ("SCHEDULED_POST", to_global_id("Post", far.id)),
    ]


async def test_the_calendar_takes_at_most_62_days_and_is_for_operators(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    for window in (_window(0, 63), _window(-2, 1)):
        result = await api.op("ContentCalendar", window, token=operator)
        assert error_codes(result) == ["BAD_USER_INPUT"], window
        assert result["errors"][0]["extensions"]["field"] == "to"
    assert await _calendar(api, operator, _window(0, 62)) == []
    for role in (Role.MEMBER, Role.MODERATOR):
        token = token_for(runtime, await make_user(role=role))
        result = await api.op("ContentCalendar", _window(), token=token)
        assert error_codes(result) == ["FORBIDDEN"], role


async def test_pinned_posts_lists_the_pins_in_force_by_scope(api: Api, runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    circle = await make_circle(operator)
    global_pin = await make_post(operator, "全站置顶")
    circle_pin = await make_post(operator, "圈内置顶", circle_id=circle.id)
    expired = await make_post(operator, "过期的置顶")
    until = datetime.now(UTC) + timedelta(days=1)
    await featured.pin_post(operator, global_pin.id, PinScope.GLOBAL, until)
    await featured.pin_post(operator, circle_pin.id, PinScope.CIRCLE)
    await featured.pin_post(operator, expired.id, PinScope.GLOBAL, until)
    await Post.filter(id=expired.id).update(pinned_until=datetime.now(UTC) - timedelta(minutes=1))

    everything = (await api.op("PinnedPosts", {}, token=token))["data"]["pinnedPosts"]
    assert [p["post"]["id"] for p in everything] == [
        to_global_id("Post", circle_pin.id),
        to_global_id("Post", global_pin.id),
    ]  # most recently pinned first, the expired one gone
    circle_entry, global_entry = everything
    assert circle_entry["scope"] == "CIRCLE" and circle_entry["until"] is None
    assert circle_entry["circle"] == {"id": to_global_id("Circle", circle.id), "name": circle.name}
    assert global_entry["scope"] == "GLOBAL" and global_entry["circle"] is None
    assert abs(datetime.fromisoformat(global_entry["until"]) - until) < timedelta(milliseconds=1)
    only_global = await api.op("PinnedPosts", {"scope": "GLOBAL"}, token=token)
    assert [p["post"]["title"] for p in only_global["data"]["pinnedPosts"]] == [""]
    member = token_for(runtime, await make_user())
    assert error_codes(await api.op("PinnedPosts", {}, token=member)) == ["FORBIDDEN"]
