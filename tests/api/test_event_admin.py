"""Running an event (wave2/console-operations.graphql): changing it, calling it off (members
told, sign-up and check-in closed, nothing paid), and its roster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api.ids import to_global_id
from domain import events
from domain.models import (
    Event,
    EventSignup,
    ModerationAction,
    NotificationKind,
    PointsEntry,
    Role,
    User,
    WordLevel,
)
from domain.screening import add_words
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    make_circle,
    make_circle_admin,
    make_event,
    make_user,
    token_for,
)


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


async def _update(api: Api, token: str, event: Event, **input: Any) -> dict[str, Any]:
    variables = {"id": to_global_id("Event", event.id), "input": input}
    return await api.op("UpdateEvent", variables, token=token)


def _field(result: dict[str, Any]) -> str | None:
    return result["errors"][0]["extensions"].get("field")


async def test_an_event_changes_what_is_given_within_the_rules(api: Api, runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    signed = [await make_user() for _ in range(3)]
    event = await make_event(operator, "读书会", capacity=10, signed_up=signed, points_reward=5)
    await Event.filter(id=event.id).update(reminded_at=datetime.now(UTC))
    starts = _at(timedelta(days=2))
    result = await _update(
        api,
        token,
        event,
        title=" 读书会 第二期 ",
        startsAt=starts,
        endsAt=_at(timedelta(days=2, hours=3)),
        signupDeadline=_at(timedelta(days=1)),
        capacity=3,
        pointsReward=8,
    )
    changed = result["data"]["updateEvent"]["event"]
    assert changed["title"] == "读书会 第二期"
    assert (changed["capacity"], changed["remaining"], changed["pointsReward"]) == (3, 0, 8)
    assert changed["state"] == "UPCOMING"
    assert abs(datetime.fromisoformat(changed["startsAt"]) - datetime.fromisoformat(starts)) < (
        timedelta(milliseconds=1)
    )
    kept = await Event.get(id=event.id)
    assert kept.location == event.location and kept.description == event.description
    assert kept.reminded_at is None  # a moved start is reminded of again
    lifted = (await _update(api, token, event, removeCapacity=True))["data"]["updateEvent"]
    assert (lifted["event"]["capacity"], lifted["event"]["remaining"]) == (None, None)
    refused = [
        ({"capacity": 2}, "BAD_USER_INPUT", "capacity"),  # below the three signed up
        ({"capacity": 0}, "BAD_USER_INPUT", "capacity"),
        ({"capacity": 5, "removeCapacity": True}, "BAD_USER_INPUT", "removeCapacity"),
        ({"title": ""}, "BAD_USER_INPUT", "title"),
        ({"location": "长" * 201}, "BAD_USER_INPUT", "location"),
        ({"endsAt": _at(timedelta(days=1))}, "BAD_USER_INPUT", "endsAt"),  # before the start
        ({"signupDeadline": _at(timedelta(days=9))}, "BAD_USER_INPUT", "signupDeadline"),
        ({"pointsReward": 1001}, "BAD_USER_INPUT", "pointsReward"),
        ({"title": "线上赌博"}, "CONTENT_REJECTED", "title"),
    ]
    await add_words(operator, runtime.store, ["赌博"], WordLevel.BLOCK)
    for change, code, field in refused:
        result = await _update(api, token, event, **change)
        assert error_codes(result) == [code], change
        assert _field(result) == field, change
    member = token_for(runtime, await make_user())
    assert error_codes(await _update(api, member, event, title="我的")) == ["FORBIDDEN"]
    assert (await Event.get(id=event.id)).title == "读书会 第二期"
    assert await ModerationAction.filter(action="UPDATE_EVENT").count() == 2


async def test_the_reward_stays_once_someone_checked_in(api: Api, runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    attendee = await make_user()
    event = await make_event(
        operator, starts_in=timedelta(minutes=10), signed_up=[attendee], points_reward=5
    )
    checked = await api.op(
        "CheckInEvent",
        {"eventId": to_global_id("Event", event.id), "code": events.checkin_code(event)},
        token=token_for(runtime, attendee),
    )
    assert "errors" not in checked
    result = await _update(api, token_for(runtime, operator), event, pointsReward=50)
    assert error_codes(result) == ["CONFLICT"] and _field(result) == "pointsReward"


async def test_a_circle_admin_changes_their_circles_event_within_its_reward_ceiling(
    api: Api, runtime: Runtime
) -> None:
    circle = await make_circle()
    admin = await make_user()
    await make_circle_admin(circle, admin)
    event = await make_event(admin, "圈内活动", circle=circle)
    token = token_for(runtime, admin)
    renamed = await _update(api, token, event, title="圈内活动（改）")
    assert renamed["data"]["updateEvent"]["event"]["title"] == "圈内活动（改）"
    too_rich = await _update(api, token, event, pointsReward=21)
    assert error_codes(too_rich) == ["BAD_USER_INPUT"]
    site_event = await make_event(title="全站活动")
    assert error_codes(await _update(api, token, site_event, title="x")) == ["FORBIDDEN"]


async def _events(api: Api, state: str | None) -> set[str]:
    result = await api.op("Events", {"state": state, "first": 50})
    return {edge["node"]["id"] for edge in result["data"]["events"]["edges"]}


async def test_a_cancelled_event_closes_tells_its_members_and_pays_nothing(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    members = [await make_user() for _ in range(2)]
    event = await make_event(
        operator,
        "河边野餐",
        starts_in=timedelta(minutes=10),
        signed_up=members,
        capacity=5,
        points_reward=10,
    )
    gid = to_global_id("Event", event.id)
    member = token_for(runtime, await make_user())
    assert error_codes(
        await api.op("CancelEvent", {"id": gid, "reason": "下雨"}, token=member)
    ) == ["FORBIDDEN"]
    empty = await api.op("CancelEvent", {"id": gid, "reason": "  "}, token=token)
    assert error_codes(empty) == ["BAD_USER_INPUT"] and _field(empty) == "reason"
    assert (await Event.get(id=event.id)).cancelled_at is None
    result = await api.op("CancelEvent", {"id": gid, "reason": "暴雨预警"}, token=token)
    assert result["data"]["cancelEvent"]["event"] == {"id": gid, "state": "CANCELLED"}
    for attendee in members:
        inbox = await api.op("Notifications", {"first": 10}, token=token_for(runtime, attendee))
        [note] = inbox["data"]["notifications"]["edges"]
        assert note["node"]["kind"] == NotificationKind.EVENT_CANCELLED.value
        assert "河边野餐" in note["node"]["text"]
        assert (await User.get(id=attendee.id)).unread_notification_count == 1
    assert gid in await _events(api, "CANCELLED") and gid in await _events(api, None)
    for state in ("UPCOMING", "ONGOING", "ENDED"):
        assert gid not in await _events(api, state), state
    late = token_for(runtime, await make_user())
    signup = await api.op("SignUpEvent", {"eventId": gid}, token=late)
    assert error_codes(signup) == ["CONFLICT"]
    check_in = await api.op(
        "CheckInEvent",
        {"eventId": gid, "code": events.checkin_code(event)},
        token=token_for(runtime, members[0]),
    )
    assert error_codes(check_in) == ["CONFLICT"]
    assert not await PointsEntry.filter(user_id=members[0].id).exists()
    assert await events.send_reminders() == 0  # it starts within the hour, but is off
    again = await api.op("CancelEvent", {"id": gid, "reason": "再取消一次"}, token=token)
    assert again["data"]["cancelEvent"]["event"]["state"] == "CANCELLED"
    assert (await Event.get(id=event.id)).cancel_reason == "暴雨预警"  # the first call stands
    changed = await _update(api, token, event, title="改期")
    assert error_codes(changed) == ["CONFLICT"]
    over = await make_event(operator)
    now = datetime.now(UTC)
    await Event.filter(id=over.id).update(
        starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2)
    )
    ended = await api.op(
        "CancelEvent", {"id": to_global_id("Event", over.id), "reason": "迟了"}, token=token
    )
    assert error_codes(ended) == ["CONFLICT"]


async def test_the_roster_lists_sign_ups_in_order_with_check_ins(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    people = [await make_user(nickname=f"报名者{n}") for n in range(5)]
    event = await make_event(operator, starts_in=timedelta(minutes=10), signed_up=people)
    checked = await api.op(
        "CheckInEvent",
        {"eventId": to_global_id("Event", event.id), "code": events.checkin_code(event)},
        token=token_for(runtime, people[1]),
    )
    assert "errors" not in checked
    token = token_for(runtime, operator)
    variables: dict[str, Any] = {"eventId": to_global_id("Event", event.id), "first": 3}
    first = (await api.op("EventRoster", variables, token=token))["data"]["eventRoster"]
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"] is True
    after = {**variables, "after": first["pageInfo"]["endCursor"]}
    rest = (await api.op("EventRoster", after, token=token))["data"]["eventRoster"]
    rows = [edge["node"] for edge in first["edges"] + rest["edges"]]
    assert [r["user"]["nickname"] for r in rows] == [p.nickname for p in people]
    assert [r["checkedInAt"] is not None for r in rows] == [False, True, False, False, False]
    signups = {s.user_id: s.created_at for s in await EventSignup.filter(event_id=event.id)}  # type: ignore[attr-defined]
    assert all(
        abs(datetime.fromisoformat(r["signedUpAt"]) - signups[p.id]) < timedelta(milliseconds=1)
        for r, p in zip(rows, people, strict=True)
    )
    for role in (Role.MEMBER, Role.MODERATOR):
        other = token_for(runtime, await make_user(role=role))
        assert error_codes(await api.op("EventRoster", variables, token=other)) == ["FORBIDDEN"]


async def test_a_list_of_events_shows_their_figures_to_whoever_runs_each(
    api: Api, runtime: Runtime, caplog: Any
) -> None:
    """`Event.stats` answers eventStats on a list (the console's events page, one request):
    operators see every event's, a circle's admin their circle's, anyone else null; the
    admin's memberships of the page's circles are one query."""
    operator = await make_user(role=Role.OPERATOR)
    admin, member = await make_user(), await make_user()
    mine = await make_circle(name="读书圈", members=[member])
    other = await make_circle(name="跑步圈")
    await make_circle_admin(mine, admin)
    site = await make_event(operator, "全站活动", signed_up=[member])
    ours = await make_event(operator, "读书会", circle=mine, signed_up=[member, admin])
    theirs = await make_event(operator, "夜跑", circle=other)
    query = (
        "{ events(first: 10) { edges { node { id stats { signups checkIns attendanceRate } } } } }"
    )

    async def figures(user: User) -> dict[str, Any]:
        answer = await api.execute(query, token=token_for(runtime, user))
        assert "errors" not in answer, answer
        return {e["node"]["id"]: e["node"]["stats"] for e in answer["data"]["events"]["edges"]}

    ids = [to_global_id("Event", e.id) for e in (site, ours, theirs)]
    seen = await figures(operator)
    assert [seen[i]["signups"] for i in ids] == [1, 2, 0]
    assert seen[ids[0]] == {"signups": 1, "checkIns": 0, "attendanceRate": 0.0}
    theirs_too = await figures(admin)
    assert [theirs_too[i] is not None for i in ids] == [False, True, False]
    assert all(s is None for s in (await figures(member)).values())
    caplog.clear()
    with caplog.at_level("DEBUG", logger="tortoise.db_client"):
        await figures(admin)
    memberships = [r for r in caplog.records if "circle_members" in r.getMessage()]
    assert len(memberships) == 1


async def test_members_signed_up_are_told_when_the_time_or_place_changes(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    signed, bystander = [await make_user() for _ in range(2)], await make_user()
    event = await make_event(operator, "读书会", signed_up=signed, location="三楼会议室")

    async def inbox(user: User) -> list[dict[str, Any]]:
        answer = await api.op("Notifications", {"first": 10}, token=token_for(runtime, user))
        return [e["node"] for e in answer["data"]["notifications"]["edges"]]

    # the title, the description or the seats: nothing a member plans around
    result = await _update(api, token, event, title="读书会 · 第二期", capacity=30)
    assert "errors" not in result, result
    same_place = await _update(api, token, event, location=" 三楼会议室 ")
    assert "errors" not in same_place, same_place
    assert [await inbox(u) for u in signed] == [[], []]

    moved = await _update(
        api,
        token,
        event,
        startsAt=_at(timedelta(days=3)),
        endsAt=_at(timedelta(days=3, hours=2)),
        location="一楼咖啡厅",
    )
    assert "errors" not in moved, moved
    for member in signed:
        [note] = await inbox(member)
        assert note["kind"] == NotificationKind.EVENT_CHANGED.value
        assert "读书会 · 第二期" in note["text"] and "时间或地点有变" in note["text"]
        assert (await User.get(id=member.id)).unread_notification_count == 1
    assert await inbox(bystander) == []
    assert await inbox(operator) == []
