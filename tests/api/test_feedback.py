"""The feedback desk through the API: answering, rating, screening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.models import Feedback, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


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


async def test_the_feedback_desk_answers_and_members_rate_once_resolved(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user(nickname="反馈人")
    token = token_for(runtime, member)
    submitted = await api.op(
        "SubmitFeedback",
        {"input": {"category": "BUG", "content": "图片上传失败", "contact": "微信 abc"}},
        token=token,
    )
    ticket = submitted["data"]["submitFeedback"]["feedback"]
    assert (ticket["category"], ticket["status"]) == ("BUG", "OPEN")
    early = await api.op("RateFeedback", {"id": ticket["id"], "rating": 5}, token=token)
    assert error_codes(early) == ["CONFLICT"]
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    desk = await api.op("FeedbackTickets", {"status": "OPEN"}, token=operator)
    node = desk["data"]["feedbackTickets"]["edges"][0]["node"]
    assert (node["content"], node["author"]["nickname"]) == ("图片上传失败", "反馈人")
    replied = await api.op(
        "ReplyFeedback",
        {"id": ticket["id"], "reply": "已修复，请重试", "status": "RESOLVED"},
        token=operator,
    )
    assert replied["data"]["replyFeedback"]["feedback"] == {
        "id": ticket["id"],
        "status": "RESOLVED",
        "reply": "已修复，请重试",
    }
    mine = await api.op("MyFeedback", {}, token=token)
    assert mine["data"]["myFeedback"]["edges"][0]["node"]["reply"] == "已修复，请重试"
    bad = await api.op("RateFeedback", {"id": ticket["id"], "rating": 6}, token=token)
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "rating"}
    other = await api.op("RateFeedback", {"id": ticket["id"], "rating": 4}, token=operator)
    assert error_codes(other) == ["NOT_FOUND"]
    rated = await api.op("RateFeedback", {"id": ticket["id"], "rating": 4}, token=token)
    assert rated["data"]["rateFeedback"]["feedback"]["rating"] == 4
    again = await api.op("RateFeedback", {"id": ticket["id"], "rating": 5}, token=token)
    assert error_codes(again) == ["CONFLICT"]


async def test_feedback_with_blocked_words_or_bad_input_is_refused(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    await api.op("AddSensitiveWords", {"words": ["赌博"], "level": "BLOCK"}, token=operator)
    token = token_for(runtime, await make_user())
    cases = [
        ({"category": "OTHER", "content": "网上赌博"}, "CONTENT_REJECTED", "content"),
        ({"category": "OTHER", "content": "  "}, "BAD_USER_INPUT", "content"),
        (
            {"category": "OTHER", "content": "看图", "imageUrls": ["https://x.com/a.png"]},
            "BAD_USER_INPUT",
            "imageUrls",
        ),
    ]
    for feedback_input, code, field in cases:
        result = await api.op("SubmitFeedback", {"input": feedback_input}, token=token)
        assert result["errors"][0]["extensions"] == {"code": code, "field": field}
    assert await Feedback.all().count() == 0
