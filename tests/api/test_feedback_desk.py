"""The feedback desk's timings, category filter and figures (wave2/console-operations.graphql:
FeedbackDesk, FeedbackMetrics, ConsoleOverviewOperations)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import httpx

from adapters import sql
from api.app import create_app
from domain.models import Feedback, FeedbackCategory, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_feedback, make_user, token_for


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_the_desk_filters_by_category_and_counts_oldest_first(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user()
    tickets = [
        await make_feedback(member, f"投诉 {i}", category=FeedbackCategory.COMPLAINT)
        for i in range(3)
    ]
    await make_feedback(member, "一个 bug", category=FeedbackCategory.BUG)
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    page = await api.op("FeedbackDesk", {"category": "COMPLAINT", "first": 2}, token=token)
    desk = page["data"]["feedbackTickets"]
    assert desk["totalCount"] == 3
    assert [e["node"]["content"] for e in desk["edges"]] == ["投诉 0", "投诉 1"]
    rest = await api.op(
        "FeedbackDesk",
        {"category": "COMPLAINT", "first": 2, "after": desk["pageInfo"]["endCursor"]},
        token=token,
    )
    assert [e["node"]["content"] for e in rest["data"]["feedbackTickets"]["edges"]] == ["投诉 2"]
    await sql.execute("UPDATE feedback SET status = 'RESOLVED' WHERE id = $1", tickets[0].id)
    both = await api.op("FeedbackDesk", {"status": "OPEN", "category": "COMPLAINT"}, token=token)
    assert both["data"]["feedbackTickets"]["totalCount"] == 2
    every = await api.op("FeedbackDesk", {}, token=token)
    assert every["data"]["feedbackTickets"]["totalCount"] == 4


async def test_replies_time_the_ticket_and_due_at_follows_the_sla(
    api: Api, runtime: Runtime
) -> None:
    ticket = await make_feedback(await make_user(), "上传失败")
    token = token_for(runtime, await make_user(role=Role.OPERATOR))

    async def node() -> dict:
        page = await api.op("FeedbackDesk", {}, token=token)
        return page["data"]["feedbackTickets"]["edges"][0]["node"]

    fresh = await node()
    assert (fresh["firstRepliedAt"], fresh["resolvedAt"]) == (None, None)
    assert _at(fresh["dueAt"]) - _at(fresh["createdAt"]) == timedelta(hours=24)
    reply = {"id": fresh["id"], "reply": "在查了", "status": "IN_PROGRESS"}
    await api.op("ReplyFeedback", reply, token=token)
    working = await node()
    assert working["firstRepliedAt"] and working["resolvedAt"] is None
    await api.op("ReplyFeedback", {**reply, "reply": "修好了", "status": "RESOLVED"}, token=token)
    done = await node()
    assert done["firstRepliedAt"] == working["firstRepliedAt"]  # the first reply stays first
    assert _at(done["resolvedAt"]) >= _at(done["firstRepliedAt"])
    await api.op(
        "ReplyFeedback", {**reply, "reply": "又坏了", "status": "IN_PROGRESS"}, token=token
    )
    assert (await node())["resolvedAt"] is None  # reopened
    # Another SLA, another due time.
    rules = dataclasses.replace(runtime.rules, feedback_sla_hours=2)
    app = create_app(runtime=dataclasses.replace(runtime, rules=rules))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://q.test"
    ) as client:
        page = await Api(client).op("FeedbackDesk", {}, token=token)
    node = page["data"]["feedbackTickets"]["edges"][0]["node"]
    assert _at(node["dueAt"]) - _at(node["createdAt"]) == timedelta(hours=2)
    assert (node["id"], node["content"]) == (fresh["id"], ticket.content)


async def _age(ticket: Feedback, *, created: timedelta, replied: timedelta | None = None) -> None:
    now = datetime.now(UTC)
    await sql.execute(
        "UPDATE feedback SET created_at = $2, first_replied_at = $3 WHERE id = $1",
        ticket.id,
        now - created,
        now - created + replied if replied is not None else None,
    )


async def test_the_metrics_and_the_home_page_count_what_the_desk_did(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user()
    quick = await make_feedback(member, "很快回复的", category=FeedbackCategory.BUG)
    slow = await make_feedback(member, "很慢回复的", category=FeedbackCategory.COMPLAINT)
    forgotten = await make_feedback(member, "没人理的", category=FeedbackCategory.COMPLAINT)
    await make_feedback(member, "刚提交的", category=FeedbackCategory.SUGGESTION)
    await _age(quick, created=timedelta(hours=40), replied=timedelta(hours=1))
    await _age(slow, created=timedelta(hours=40), replied=timedelta(hours=30))
    await _age(forgotten, created=timedelta(hours=30))
    await sql.execute(
        "UPDATE feedback SET status = 'RESOLVED', resolved_at = now(), rating = $2 WHERE id = $1",
        quick.id,
        5,
    )
    await sql.execute(
        "UPDATE feedback SET status = 'CLOSED', resolved_at = now(), rating = 2 WHERE id = $1",
        slow.id,
    )
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    today = runtime.rules.calendar.today()
    span = {"from": (today - timedelta(days=3)).isoformat(), "to": today.isoformat()}
    metrics = (await api.op("FeedbackMetrics", span, token=token))["data"]["feedbackMetrics"]
    assert metrics == {
        "received": 4,
        "resolved": 2,
        "medianFirstReplySeconds": (3600 + 30 * 3600) / 2,
        "withinSlaRate": round(1 / 3, 6),  # quick; not slow nor forgotten; new is not due
        "averageRating": 3.5,
        "byCategory": [
            {"category": "BUG", "count": 1},
            {"category": "SUGGESTION", "count": 1},
            {"category": "COMPLAINT", "count": 2},
            {"category": "CONTENT", "count": 0},
            {"category": "OTHER", "count": 0},
        ],
    }
    old = {"from": "2020-01-01", "to": "2020-01-31"}
    empty = (await api.op("FeedbackMetrics", old, token=token))["data"]["feedbackMetrics"]
    assert (empty["received"], empty["medianFirstReplySeconds"], empty["withinSlaRate"]) == (
        0,
        None,
        None,
    )
    for bad, field in (
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
    ):
        refused = await api.op("FeedbackMetrics", bad, token=token)
        assert error_codes(refused) == ["BAD_USER_INPUT"]
        assert refused["errors"][0]["extensions"]["field"] == field
    overview = await api.op("ConsoleOverviewOperations", token=token)
    assert overview["data"]["consoleOverview"] == {"overdueFeedback": 1, "openAlerts": 0}


async def test_moderators_see_the_home_page_without_the_operations_counts(
    api: Api, runtime: Runtime
) -> None:
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    result = await api.op("ConsoleOverviewOperations", token=moderator)
    assert result["data"]["consoleOverview"] == {"overdueFeedback": None, "openAlerts": None}
    assert error_codes(result) == ["FORBIDDEN", "FORBIDDEN"]
    # The moderation side of the home page still answers them in full.
    rest = await api.op("ConsoleOverview", token=moderator)
    assert "errors" not in rest
