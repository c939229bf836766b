"""Events through the API: states, sign-ups that never oversell, deadlines, check-in codes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from api.ids import to_global_id
from domain import events
from domain.circles import approve_member, create_circle, join_circle
from domain.errors import BadInput, Conflict, Forbidden
from domain.models import EventSignup, JoinPolicy, PointsEntry, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_user, token_for


def _event_input(**extra: object) -> dict:
    now = datetime.now(UTC)
    base = {
        "title": "周末读书会",
        "kind": "OFFLINE",
        "location": "朝阳区图书馆",
        "startsAt": (now + timedelta(days=1)).isoformat(),
        "endsAt": (now + timedelta(days=1, hours=2)).isoformat(),
        "capacity": 50,
        "pointsReward": 10,
    }
    return {"input": {**base, **extra}}


async def _create(api: Api, runtime: Runtime, **extra: object) -> dict:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    result = await api.op("CreateEvent", _event_input(**extra), token=operator)
    return result["data"]["createEvent"]["event"]


async def test_operators_create_events_and_members_see_them_by_state(
    api: Api, runtime: Runtime
) -> None:
    event = await _create(api, runtime)
    assert (event["state"], event["remaining"], event["pointsReward"]) == ("UPCOMING", 50, 10)
    member = token_for(runtime, await make_user())
    refused = await api.op("CreateEvent", _event_input(), token=member)
    assert error_codes(refused) == ["FORBIDDEN"]
    upcoming = await api.op("Events", {"state": "UPCOMING"}, token=member)
    node = upcoming["data"]["events"]["edges"][0]["node"]
    assert (node["id"], node["viewerSignedUp"], node["signupCount"]) == (event["id"], False, 0)
    assert (await api.op("Events", {"state": "ENDED"}))["data"]["events"]["edges"] == []
    detail = await api.op("EventDetail", {"id": event["id"]})
    assert detail["data"]["event"]["title"] == "周末读书会"


async def test_bad_events_are_refused(api: Api, runtime: Runtime) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    now = datetime.now(UTC)
    past_end = _event_input(endsAt=(now - timedelta(hours=1)).isoformat())
    backwards = _event_input(startsAt=(now + timedelta(days=2)).isoformat())
    for variables in (past_end, backwards, _event_input(capacity=0), _event_input(title=" ")):
        result = await api.op("CreateEvent", variables, token=operator)
        assert error_codes(result) == ["BAD_USER_INPUT"]


async def test_two_hundred_concurrent_sign_ups_fill_fifty_seats_exactly(
    api: Api, runtime: Runtime
) -> None:
    event = await _create(api, runtime, capacity=50)
    tokens = [token_for(runtime, await make_user()) for _ in range(200)]
    results = await asyncio.gather(
        *(api.op("SignUpEvent", {"eventId": event["id"]}, token=t) for t in tokens)
    )
    ok = [r for r in results if "errors" not in r]
    full = [r for r in results if error_codes(r) == ["CONFLICT"]]
    assert (len(ok), len(full)) == (50, 150)
    assert all("名额已满" in r["errors"][0]["message"] for r in full)
    detail = await api.op("EventDetail", {"id": event["id"]})
    assert (detail["data"]["event"]["signupCount"], detail["data"]["event"]["remaining"]) == (50, 0)
    assert await EventSignup.all().count() == 50


async def test_signing_up_twice_is_harmless_and_cancelling_frees_the_seat(
    api: Api, runtime: Runtime
) -> None:
    event = await _create(api, runtime, capacity=1)
    first, second = token_for(runtime, await make_user()), token_for(runtime, await make_user())
    for _ in range(2):
        signed = await api.op("SignUpEvent", {"eventId": event["id"]}, token=first)
        assert signed["data"]["signUpEvent"]["event"] == {
            "id": event["id"],
            "signupCount": 1,
            "remaining": 0,
            "viewerSignedUp": True,
        }
    assert error_codes(await api.op("SignUpEvent", {"eventId": event["id"]}, token=second)) == [
        "CONFLICT"
    ]
    cancelled = await api.op("CancelEventSignup", {"eventId": event["id"]}, token=first)
    assert cancelled["data"]["cancelEventSignup"]["event"]["remaining"] == 1
    assert "errors" not in await api.op("SignUpEvent", {"eventId": event["id"]}, token=second)


async def test_only_members_of_its_circle_sign_up_for_a_circles_event(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    circle = await create_circle(operator, "摄影圈", join_policy=JoinPolicy.APPROVAL)
    created = await api.op(
        "CreateEvent",
        _event_input(circleId=to_global_id("Circle", circle.id)),
        token=token_for(runtime, operator),
    )
    event = {"eventId": created["data"]["createEvent"]["event"]["id"]}
    applicant = await make_user()
    await join_circle(applicant, circle.id)  # pending until approved
    for user in (await make_user(), applicant):
        refused = await api.op("SignUpEvent", event, token=token_for(runtime, user))
        assert error_codes(refused) == ["FORBIDDEN"]
        assert "加入圈子" in refused["errors"][0]["message"]
    assert await EventSignup.all().count() == 0
    member = await make_user()
    await join_circle(member, circle.id)
    await approve_member(operator, circle.id, member.id)
    signed = await api.op("SignUpEvent", event, token=token_for(runtime, member))
    assert signed["data"]["signUpEvent"]["event"]["viewerSignedUp"] is True


async def test_sign_up_closes_at_the_deadline(api: Api, runtime: Runtime) -> None:
    event = await _create(api, runtime)
    from domain.models import Event

    await Event.all().update(signup_deadline=datetime.now(UTC) - timedelta(minutes=1))
    result = await api.op(
        "SignUpEvent", {"eventId": event["id"]}, token=token_for(runtime, await make_user())
    )
    assert error_codes(result) == ["CONFLICT"]
    assert "报名已截止" in result["errors"][0]["message"]


async def test_check_in_needs_a_seat_a_current_code_and_the_event_window(
    api: Api, runtime: Runtime
) -> None:
    now = datetime.now(UTC)
    event = await _create(
        api,
        runtime,
        startsAt=(now + timedelta(minutes=10)).isoformat(),
        endsAt=(now + timedelta(hours=2)).isoformat(),
        signupDeadline=(now + timedelta(minutes=5)).isoformat(),
    )
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    member = await make_user()
    token = token_for(runtime, member)
    await api.op("SignUpEvent", {"eventId": event["id"]}, token=token)
    code = (await api.op("IssueEventCheckInCode", {"eventId": event["id"]}, token=operator))[
        "data"
    ]["eventCheckInCode"]
    assert len(code) == 6 and code.isdigit()
    wrong = await api.op(
        "CheckInEvent",
        {"eventId": event["id"], "code": "000000" if code != "000000" else "111111"},
        token=token,
    )
    assert wrong["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "code"}
    stranger = token_for(runtime, await make_user())
    not_signed = await api.op(
        "CheckInEvent", {"eventId": event["id"], "code": code}, token=stranger
    )
    assert error_codes(not_signed) == ["FORBIDDEN"]
    checked = await api.op("CheckInEvent", {"eventId": event["id"], "code": code}, token=token)
    assert checked["data"]["checkInEvent"]["event"] == {"id": event["id"], "viewerCheckedIn": True}
    twice = await api.op("CheckInEvent", {"eventId": event["id"], "code": code}, token=token)
    assert error_codes(twice) == ["CONFLICT"]
    await member.refresh_from_db()
    assert member.points == 10
    assert await PointsEntry.filter(user_id=member.id).count() == 1
    stats = await api.op("EventStats", {"eventId": event["id"]}, token=operator)
    assert stats["data"]["eventStats"] == {"signups": 1, "checkIns": 1, "attendanceRate": 1.0}
    viewer = await api.op("Viewer", token=token)
    assert "EVENT_ATTENDEE" in [b["code"] for b in viewer["data"]["viewer"]["badges"]]


async def test_stale_codes_and_times_outside_the_window_are_refused(runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    now = datetime.now(UTC)
    event = await events.create_event(
        operator,
        events.EventDraft(
            title="线下聚会",
            kind="OFFLINE",  # type: ignore[arg-type]
            starts_at=now + timedelta(hours=1),
            ends_at=now + timedelta(hours=3),
        ),
        runtime.screener,
        rules=RULES,
    )
    member = await make_user()
    await events.sign_up(member, event.id)
    during = now + timedelta(hours=2)
    stale = events.checkin_code(event, during - timedelta(seconds=2 * events.CODE_PERIOD))
    if stale not in {
        events.checkin_code(event, during),
        events.checkin_code(event, during, step=-1),
    }:
        with pytest.raises(BadInput):
            await events.check_in(
                member, event.id, stale, now=during, rules=RULES, store=runtime.store
            )
    early = now  # an hour before the start, before check-in opens
    with pytest.raises(Conflict):
        await events.check_in(
            member,
            event.id,
            events.checkin_code(event, early),
            now=early,
            rules=RULES,
            store=runtime.store,
        )
    late = now + timedelta(hours=4)
    with pytest.raises(Conflict):
        await events.check_in(
            member,
            event.id,
            events.checkin_code(event, late),
            now=late,
            rules=RULES,
            store=runtime.store,
        )
    # The code that was on the screen a moment ago still works (someone was typing it).
    previous = events.checkin_code(event, during, step=-1)
    await events.check_in(member, event.id, previous, now=during, rules=RULES, store=runtime.store)
    with pytest.raises(Forbidden):
        await events.stats(member, event.id)
