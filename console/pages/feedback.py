"""反馈工单: the desk oldest first, each ticket with its first-reply SLA timer (from dueAt:
green, amber in its last third, red once due), a category filter, replies from canned
templates, the members' ratings, and the desk's figures over the last 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import Response

from console.desk import Desk
from console.pages.common import after
from console.templating import age_text, parse_time, sla_colour

STATUSES = ("OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED")
CATEGORIES = ("BUG", "SUGGESTION", "COMPLAINT", "CONTENT", "OTHER")
# The canned replies (texts feedback.template.*), in the order the picker lists them.
TEMPLATES = ("thanks", "fixing", "fixed", "need_more", "complaint")
METRICS_DAYS = 30


def sla(ticket: dict[str, Any], now: datetime, locale: str) -> dict[str, Any]:
    """The ticket's first-reply clock: time left (or overdue) while unanswered; once answered,
    how long the reply took, green if within dueAt and red if not."""
    created, due = parse_time(ticket["createdAt"]), parse_time(ticket["dueAt"])
    replied = parse_time(ticket.get("firstRepliedAt"))
    assert created is not None and due is not None
    if replied is not None:
        took = age_text((replied - created).total_seconds(), locale)
        return {"colour": "green" if replied <= due else "red", "replied": True, "text": took}
    left = (due - now).total_seconds()
    return {
        "colour": sla_colour(created, due, now),
        "replied": False,
        "overdue": left < 0,
        "text": age_text(abs(left), locale),
    }


def _pick(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


async def _metrics(desk: Desk) -> tuple[dict[str, Any] | None, list[Any]]:
    today = desk.console.runtime(desk.request).rules.calendar.today()
    start = today - timedelta(days=METRICS_DAYS - 1)
    outcome = await desk.run("ConsoleFeedbackMetrics", **{"from": str(start), "to": str(today)})
    return (outcome.data or {}).get("feedbackMetrics"), outcome.problems


async def show(desk: Desk) -> Response:
    params = desk.request.query_params
    status = params.get("status", "OPEN")
    status = "" if status == "ALL" else (_pick(status, STATUSES) or "OPEN")
    category = _pick(params.get("category"), CATEGORIES)
    outcome = await desk.run(
        "ConsoleFeedbackDesk",
        status=status or None,
        category=category,
        first=desk.console.page_max,
        after=after(desk),
    )
    page = (outcome.data or {}).get("feedbackTickets")
    now = datetime.now(UTC)
    tickets = [
        {**edge["node"], "sla": sla(edge["node"], now, desk.locale)}
        for edge in (page["edges"] if page else ())
    ]
    metrics, refused = await _metrics(desk)
    return desk.render(
        "feedback.html",
        page=page,
        tickets=tickets,
        current=status or "ALL",
        category=category or "",
        statuses=STATUSES,
        categories=CATEGORIES,
        templates=[(key, desk.t("feedback.template." + key)) for key in TEMPLATES],
        metrics=metrics,
        age=lambda seconds: age_text(seconds, desk.locale),
        metrics_days=METRICS_DAYS,
        problems=outcome.problems + refused,
    )


async def reply(desk: Desk) -> Response:
    form = await desk.request.form()
    ticket_id = str(form.get("id", ""))
    status = str(form.get("status", "RESOLVED"))
    outcome = await desk.run(
        "ConsoleReplyFeedback",
        id=ticket_id,
        reply=str(form.get("reply", "")),
        status=status if status in STATUSES else "RESOLVED",
    )
    done = (outcome.data or {}).get("replyFeedback")
    return desk.render(
        "feedback_replied.html",
        status=200 if outcome.ok else 400,
        ticket=done["feedback"] if done else None,
        problems=outcome.problems,
    )
