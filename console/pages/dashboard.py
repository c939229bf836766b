"""数据看板: KPI tiles for a range against the period before it, the charts (their data from
/console/dashboard/data.json, drawn by static/charts.js), moderation health, and CSV exports
of its tables."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from console.desk import Desk
from console.pages import dashboard_data as numbers
from console.pages.common import csv_download
from console.pages.ranges import CUSTOM_MAX_DAYS, PRESETS, span_of

# The words the charts print, sent with their data in the viewer's language.
CHART_LABELS = (
    "dash.dau", "dash.new", "dash.prev_dau", "dash.dau_mau", "dash.posts", "dash.comments",
    "dash.likes", "dash.shares", "dash.reports", "dash.interaction", "dash.reply",
    "dash.report_rate", "dash.inflow", "dash.decided", "dash.within_sla", "dash.median",
    "dash.p95", "dash.hours", "dash.save_png", "dash.no_data",
)  # fmt: skip


def chart_labels(desk: Desk, keys: tuple[str, ...]) -> dict[str, str]:
    return {key.split(".", 1)[1]: desk.t(key) for key in keys}


async def show(desk: Desk) -> Response:
    span = span_of(desk)
    now, before, problems = await numbers.period_metrics(desk, span)
    health = await desk.run("DashboardModeration", **{"from": str(span.start), "to": str(span.end)})
    handled = await desk.run("DashboardFeedback", **{"from": str(span.start), "to": str(span.end)})
    return desk.render(
        "dashboard.html",
        span=span,
        presets=PRESETS,
        custom_max=CUSTOM_MAX_DAYS,
        tiles=numbers.tiles(now, before) if now and before else [],
        health=numbers.moderation(health.data, lambda s: desk.t("stage." + s)),
        feedback=numbers.feedback(handled.data),
        problems=problems + health.problems + handled.problems,
    )


async def _payload(desk: Desk) -> tuple[dict[str, Any] | None, list[Any]]:
    span = span_of(desk)
    now, before, problems = await numbers.period_metrics(desk, span)
    if now is None:
        return None, problems
    rates = await numbers.day_rates(desk, span)
    health = await desk.run("DashboardModeration", **{"from": str(span.start), "to": str(span.end)})
    handled = await desk.run("DashboardFeedback", **{"from": str(span.start), "to": str(span.end)})
    series = numbers.series(now, before, rates)
    series["reportReasons"] = numbers.report_reasons(now, lambda r: desk.t("reason." + r))
    return {
        "range": {"from": str(span.start), "to": str(span.end), "key": span.key},
        "series": series,
        "feedback": numbers.feedback(handled.data),
        "moderation": numbers.moderation(health.data, lambda s: desk.t("stage." + s)),
        "labels": chart_labels(desk, CHART_LABELS),
    }, problems + health.problems + handled.problems


async def data(desk: Desk) -> Response:
    payload, problems = await _payload(desk)
    if payload is None:
        return JSONResponse(
            {"errors": [{"code": p.code, "message": p.message} for p in problems]},
            status_code=403 if any(p.code == "FORBIDDEN" for p in problems) else 400,
        )
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


async def export(desk: Desk) -> Response:
    """The range's days: counts and each day's rates, one row a day."""
    payload, _ = await _payload(desk)
    s = (payload or {}).get("series") or {"dates": []}
    header = [
        "date", "dau", "new_members", "posts", "comments", "likes", "shares", "reports",
        "wau", "mau", "dau_mau", "interaction_rate", "reply_rate", "report_rate",
    ]  # fmt: skip
    fields = (
        "dates", "dau", "newUsers", "posts", "comments", "likes", "shares", "reports",
        "wau", "mau", "dauMau", "interactionRate", "replyRate", "reportRate",
    )  # fmt: skip
    rows = [[s[f][i] for f in fields] for i in range(len(s["dates"]))]
    return csv_download(f"dashboard-{span_of(desk).start}-{span_of(desk).end}.csv", header, rows)


async def export_moderation(desk: Desk) -> Response:
    span = span_of(desk)
    health = await desk.run("DashboardModeration", **{"from": str(span.start), "to": str(span.end)})
    stages = numbers.moderation(health.data, lambda s: desk.t("stage." + s))["stages"]
    return csv_download(
        f"moderation-{span.start}-{span.end}.csv",
        ["stage", "open", "overdue", "decided", "median_hours", "p95_hours", "within_sla"],
        (
            [
                s["stage"],
                s["open"],
                s["overdue"],
                s["decided"],
                s["medianHours"],
                s["p95Hours"],
                s["withinSla"],
            ]
            for s in stages
        ),
    )
