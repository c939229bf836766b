"""Circle admins cannot mint points: a ceiling on the rewards of the events they create, no
reward for organising, and no circle to run after a demotion or a ban."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import Role, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    RULES,
    make_circle,
    make_circle_admin,
    make_circle_member,
    make_user,
    token_for,
)


def _event(circle_id: str, reward: int) -> dict:
    now = datetime.now(UTC)
    return {
        "input": {
            "title": "圈子聚会",
            "kind": "OFFLINE",
            "startsAt": (now + timedelta(minutes=10)).isoformat(),
            "endsAt": (now + timedelta(hours=2)).isoformat(),
            "signupDeadline": (now + timedelta(minutes=5)).isoformat(),
            "pointsReward": reward,
            "circleId": circle_id,
        }
    }


async def test_a_circle_admin_who_is_a_member_cannot_put_a_large_reward_on_an_event(
    api: Api, runtime: Runtime
) -> None:
    circle = await make_circle()
    admin = await make_user()
    await make_circle_admin(circle, admin)
    circle_id = to_global_id("Circle", circle.id)
    token = token_for(runtime, admin)
    ceiling = RULES.circle_event_reward_max
    minting = await api.op("CreateEvent", _event(circle_id, 1000), token=token)
    assert minting["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "pointsReward",
    }
    assert str(ceiling) in minting["errors"][0]["message"]
    modest = await api.op("CreateEvent", _event(circle_id, ceiling), token=token)
    assert modest["data"]["createEvent"]["event"]["pointsReward"] == ceiling
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    large = await api.op("CreateEvent", _event(circle_id, 1000), token=operator)
    assert large["data"]["createEvent"]["event"]["pointsReward"] == 1000


async def test_organisers_check_in_to_their_own_event_without_earning_its_reward(
    api: Api, runtime: Runtime
) -> None:
    circle = await make_circle()
    creator, co_admin, guest = await make_user(), await make_user(), await make_user()
    for admin in (creator, co_admin):
        await make_circle_admin(circle, admin)
    await make_circle_member(circle, guest)  # a circle's events take its members only
    reward = RULES.circle_event_reward_max
    created = await api.op(
        "CreateEvent",
        _event(to_global_id("Circle", circle.id), reward),
        token=token_for(runtime, creator),
    )
    event_id = created["data"]["createEvent"]["event"]["id"]
    code = (
        await api.op(
            "IssueEventCheckInCode", {"eventId": event_id}, token=token_for(runtime, creator)
        )
    )["data"]["eventCheckInCode"]
    for member in (creator, co_admin, guest):
        token = token_for(runtime, member)
        await api.op("SignUpEvent", {"eventId": event_id}, token=token)
        checked = await api.op("CheckInEvent", {"eventId": event_id, "code": code}, token=token)
        assert checked["data"]["checkInEvent"]["event"]["viewerCheckedIn"] is True
    points = [(await User.get(id=m.id)).points for m in (creator, co_admin, guest)]
    assert points == [0, 0, reward]


async def test_demoting_an_operator_ends_their_rights_over_the_circles_they_opened(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    opened = await api.op(
        "CreateCircle", {"input": {"name": "读书会", "joinPolicy": "OPEN"}}, token=token
    )
    circle_id = opened["data"]["createCircle"]["circle"]["id"]
    admin = token_for(runtime, await make_user(role=Role.ADMIN))
    demoted = await api.op(
        "SetUserRole", {"userId": to_global_id("User", operator.id), "role": "MEMBER"}, token=admin
    )
    assert demoted["data"]["setUserRole"]["user"]["role"] == "MEMBER"
    refused = await api.op("CreateEvent", _event(circle_id, 0), token=token_for(runtime, operator))
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_banning_a_circle_admin_ends_their_circle_admin_rights_for_good(
    api: Api, runtime: Runtime
) -> None:
    circle = await make_circle()
    member = await make_user()
    await make_circle_admin(circle, member)
    circle_id = to_global_id("Circle", circle.id)
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    banned = await api.op(
        "SanctionUser",
        {
            "userId": to_global_id("User", member.id),
            "kind": "BAN",
            "hours": 24,
            "reason": "刷积分",
        },
        token=operator,
    )
    sanction_id = banned["data"]["sanctionUser"]["sanction"]["id"]
    lifted = await api.op("LiftSanction", {"sanctionId": sanction_id}, token=operator)
    assert lifted["data"]["liftSanction"]["ok"] is True
    refused = await api.op("CreateEvent", _event(circle_id, 0), token=token_for(runtime, member))
    assert error_codes(refused) == ["FORBIDDEN"]
