"""An operator's button clicked twice (or the request sent again when no answer came) makes
one survey, one shelf item, one event, one collection, one sanction and one reply, and both
answers are the first (domain/resubmits.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import (
    Collection,
    Event,
    Feedback,
    FeedbackCategory,
    MallItem,
    Notification,
    NotificationKind,
    Role,
    Sanction,
    Survey,
    User,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_user, token_for


async def _twice(api: Api, operation: str, variables: dict, token: str) -> list[dict]:
    answers = await asyncio.gather(*(api.op(operation, variables, token=token) for _ in "ab"))
    for answer in answers:
        assert "errors" not in answer, answer
    again = await api.op(operation, variables, token=token)  # and sent again, after
    assert "errors" not in again, again
    return [*answers, again]


async def _operator(runtime: Runtime) -> tuple[User, str]:
    operator = await make_user(role=Role.OPERATOR)
    return operator, token_for(runtime, operator)


async def test_a_survey_created_twice_is_one_survey(api: Api, runtime: Runtime) -> None:
    operator, token = await _operator(runtime)
    survey = {
        "title": "活动满意度",
        "pointsReward": 5,
        "questions": [{"kind": "TEXT", "title": "有什么建议？"}],
    }
    answers = await _twice(api, "CreateSurvey", {"input": survey}, token)
    assert len({a["data"]["createSurvey"]["survey"]["id"] for a in answers}) == 1
    assert await Survey.filter(created_by_id=operator.id).count() == 1


async def test_a_shelf_item_created_twice_is_one_item(api: Api, runtime: Runtime) -> None:
    _, token = await _operator(runtime)
    item = {"title": "限量徽章", "kind": "VIRTUAL", "pricePoints": 10, "stock": 5}
    answers = await _twice(api, "CreateMallItem", {"input": item}, token)
    assert len({a["data"]["createMallItem"]["item"]["id"] for a in answers}) == 1
    assert await MallItem.filter(title="限量徽章").count() == 1


async def test_an_event_created_twice_is_one_event(api: Api, runtime: Runtime) -> None:
    operator, token = await _operator(runtime)
    starts = datetime.now(UTC) + timedelta(days=3)
    event = {
        "title": "周末读书会",
        "kind": "OFFLINE",
        "startsAt": starts.isoformat(),
        "endsAt": (starts + timedelta(hours=2)).isoformat(),
    }
    answers = await _twice(api, "CreateEvent", {"input": event}, token)
    assert len({a["data"]["createEvent"]["event"]["id"] for a in answers}) == 1
    assert await Event.filter(created_by_id=operator.id).count() == 1
    # Another time is another event.
    later = {**event, "startsAt": (starts + timedelta(days=7)).isoformat()}
    later["endsAt"] = (starts + timedelta(days=7, hours=2)).isoformat()
    assert "errors" not in await api.op("CreateEvent", {"input": later}, token=token)
    assert await Event.filter(created_by_id=operator.id).count() == 2


async def test_a_collection_created_twice_is_one_collection(api: Api, runtime: Runtime) -> None:
    operator, token = await _operator(runtime)
    answers = await _twice(api, "CreateCollection", {"input": {"title": "新手必读"}}, token)
    assert len({a["data"]["createCollection"]["collection"]["id"] for a in answers}) == 1
    assert await Collection.filter(created_by_id=operator.id).count() == 1


async def test_a_sanction_imposed_twice_is_lifted_once(api: Api, runtime: Runtime) -> None:
    """Two mutes of one click: lifting the one the moderator sees frees the member (a second
    would have kept them muted)."""
    _, token = await _operator(runtime)
    member = await make_user()
    mute = {"userId": to_global_id("User", member.id), "kind": "MUTE", "hours": 24}
    answers = await _twice(api, "SanctionUser", {**mute, "reason": "刷屏"}, token)
    ids = {a["data"]["sanctionUser"]["sanction"]["id"] for a in answers}
    assert len(ids) == 1
    assert await Sanction.filter(user_id=member.id).count() == 1
    lifted = await api.op("LiftSanction", {"sanctionId": ids.pop()}, token=token)
    assert "errors" not in lifted, lifted
    assert (await User.get(id=member.id)).muted_until is None
    # A longer one, a moment later, is meant.
    await api.op("SanctionUser", {**mute, "reason": "刷屏"}, token=token)
    longer = await api.op("SanctionUser", {**mute, "hours": 72, "reason": "刷屏"}, token=token)
    assert "errors" not in longer, longer
    assert await Sanction.filter(user_id=member.id, lifted_at=None).count() == 2


async def test_a_reply_sent_twice_tells_the_member_once(api: Api, runtime: Runtime) -> None:
    _, token = await _operator(runtime)
    member = await make_user()
    ticket = await Feedback.create(author=member, category=FeedbackCategory.BUG, content="闪退")
    reply = {"id": to_global_id("Feedback", ticket.id), "reply": "已修复", "status": "RESOLVED"}
    await _twice(api, "ReplyFeedback", reply, token)
    told = Notification.filter(recipient_id=member.id, kind=NotificationKind.FEEDBACK_REPLY)
    assert await told.count() == 1
    # Another reply is another message.
    other = {**reply, "reply": "已修复，请更新到最新版"}
    assert "errors" not in await api.op("ReplyFeedback", other, token=token)
    assert await told.count() == 2
