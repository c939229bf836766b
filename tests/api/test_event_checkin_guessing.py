"""Event check-in codes cannot be guessed: a cap on wrong codes per member and event, and a
rate-limit class for the mutation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import events
from domain.models import Event, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, configured_api, error_codes
from tests.factories import make_user, token_for


async def _ongoing_event(api: Api, runtime: Runtime) -> tuple[str, str]:
    """An event under way, and a signed-up member's token."""
    now = datetime.now(UTC)
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    created = await api.op(
        "CreateEvent",
        {
            "input": {
                "title": "线下签到",
                "kind": "OFFLINE",
                "startsAt": (now + timedelta(minutes=10)).isoformat(),
                "endsAt": (now + timedelta(hours=2)).isoformat(),
                "signupDeadline": (now + timedelta(minutes=5)).isoformat(),
                "pointsReward": 5,
            }
        },
        token=operator,
    )
    event_id = created["data"]["createEvent"]["event"]["id"]
    member = token_for(runtime, await make_user())
    await api.op("SignUpEvent", {"eventId": event_id}, token=member)
    return event_id, member


def _wrong(code: str, n: int) -> str:
    guess = str(n).zfill(6)
    return guess if guess != code else "999999"


async def test_ten_wrong_check_in_codes_lock_the_member_out_of_that_event_for_a_while(
    runtime: Runtime,
) -> None:
    async with configured_api(runtime, rate_limits_enabled=False) as (api, _):
        event_id, member = await _ongoing_event(api, runtime)
        code = events.checkin_code(await Event.get(id=1))
        for n in range(events.WRONG_CODES_MAX):
            wrong = await api.op(
                "CheckInEvent", {"eventId": event_id, "code": _wrong(code, n)}, token=member
            )
            assert error_codes(wrong) == ["BAD_USER_INPUT"]
        # Locked: even the right code is refused now, with the wait in seconds.
        locked = await api.op("CheckInEvent", {"eventId": event_id, "code": code}, token=member)
        assert error_codes(locked) == ["RATE_LIMITED"]
        retry_after = locked["errors"][0]["extensions"]["retryAfter"]
        assert 0 < retry_after <= events.WRONG_CODES_WINDOW
        # Another member of the same event is not held back by the guesser.
        other = token_for(runtime, await make_user())
        await api.op("SignUpEvent", {"eventId": event_id}, token=other)
        checked = await api.op("CheckInEvent", {"eventId": event_id, "code": code}, token=other)
        assert checked["data"]["checkInEvent"]["event"]["viewerCheckedIn"] is True


async def test_a_burst_of_aliased_check_in_guesses_is_refused_before_any_of_them_runs(
    api: Api, runtime: Runtime
) -> None:
    event_id, member = await _ongoing_event(api, runtime)
    code = events.checkin_code(await Event.get(id=1))
    guesses = " ".join(
        f'g{n}: checkInEvent(eventId: "{event_id}", code: "{_wrong(code, n)}") {{ event {{ id }} }}'
        for n in range(12)
    )
    burst = await api.execute(f"mutation {{ {guesses} }}", token=member)
    assert error_codes(burst) == ["RATE_LIMITED"]
    assert burst["data"] is None
    assert burst["errors"][0]["extensions"]["retryAfter"] > 0
