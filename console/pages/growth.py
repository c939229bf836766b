"""增长与留存: the day- or week-cohort retention heatmap with an average row, the share
funnel, the segment sizes with when they were scored and a button to re-score them (their
data from /console/growth/data.json, drawn by static/charts.js), and the members at risk of
drifting away, each linked to their record and exportable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.responses import JSONResponse, Response

from console.desk import Desk
from console.pages.common import csv_download
from console.pages.dashboard import chart_labels
from console.pages.ranges import CUSTOM_MAX_DAYS, PRESETS, Span, span_of

# The columns of the heatmap: retention N days (?period=WEEK: N weeks) after joining.
RETENTION_DAYS = (1, 2, 3, 4, 5, 6, 7, 14, 30)
RETENTION_WEEKS = (1, 2, 3, 4, 5, 6, 7, 8)
PERIODS = ("DAY", "WEEK")
AT_RISK_ROWS = 100
SEGMENTS = ("NEW", "ACTIVE", "CASUAL", "DORMANT", "CHURNED")
FUNNEL = ("shares", "opens", "signups", "first_posts")
CHART_LABELS = (
    "growth.cohort", "growth.day_n", "growth.week_n", "growth.average", "growth.size",
    "growth.rate", "dash.save_png", "dash.no_data",
)  # fmt: skip


def period_of(desk: Desk) -> str:
    """The cohorts' period from ?period=DAY|WEEK; anything else is DAY."""
    period = desk.request.query_params.get("period", "DAY").upper()
    return period if period in PERIODS else "DAY"


def _columns(period: str) -> tuple[int, ...]:
    return RETENTION_WEEKS if period == "WEEK" else RETENTION_DAYS


def cohort_table(cohorts: list[dict[str, Any]], today: date, period: str = "DAY") -> dict[str, Any]:
    """Rows of rates per cohort (None where day or week N has not begun yet) and the average
    row: retained ÷ size over the cohorts old enough for that column."""
    columns = _columns(period)
    step = 7 if period == "WEEK" else 1
    rows = []
    kept = {n: 0 for n in columns}
    sizes = {n: 0 for n in columns}
    for cohort in cohorts:
        joined = date.fromisoformat(cohort["cohortDate"])
        points = {p["day"]: p for p in cohort["points"]}
        rates: list[float | None] = []
        for n in columns:
            point = points.get(n)
            if point is None or joined + timedelta(days=n * step) > today:
                rates.append(None)
                continue
            rates.append(point["rate"])
            kept[n] += point["retained"]
            sizes[n] += cohort["size"]
        rows.append({"date": cohort["cohortDate"], "size": cohort["size"], "rates": rates})
    average = [round(kept[n] / sizes[n], 4) if sizes[n] else None for n in columns]
    return {"period": period, "days": list(columns), "rows": rows, "average": average}


async def _numbers(desk: Desk, span: Span) -> tuple[dict[str, Any], list[Any]]:
    period = period_of(desk)
    outcome = await desk.run(
        "GrowthNumbers",
        days=list(_columns(period)),
        period=period,
        **{"from": str(span.start), "to": str(span.end)},
    )
    found = outcome.data or {}
    today = desk.console.runtime(desk.request).rules.calendar.today()
    funnel = {s["name"]: s["count"] for s in found.get("shareFunnel") or []}
    segments = {s["name"]: s["count"] for s in found.get("userSegments") or []}
    return {
        "range": {"from": str(span.start), "to": str(span.end), "key": span.key},
        "cohorts": cohort_table(found.get("retentionCohorts") or [], today, period),
        "funnel": [
            {"name": desk.t("funnel." + n), "count": funnel[n]} for n in FUNNEL if n in funnel
        ],
        "segments": [
            {"key": n, "name": desk.t("segment." + n), "count": segments[n]}
            for n in SEGMENTS
            if n in segments
        ],
        "segmentsScoredAt": found.get("segmentsScoredAt"),
        "labels": chart_labels(desk, CHART_LABELS),
    }, outcome.problems


async def _at_risk(desk: Desk) -> tuple[list[dict[str, Any]], list[Any]]:
    outcome = await desk.run("GrowthAtRisk", first=AT_RISK_ROWS)
    return (outcome.data or {}).get("atRiskUsers") or [], outcome.problems


async def show(desk: Desk) -> Response:
    span = span_of(desk)
    numbers, problems = await _numbers(desk, span)
    at_risk, refused = await _at_risk(desk)
    return desk.render(
        "growth.html",
        span=span,
        presets=PRESETS,
        custom_max=CUSTOM_MAX_DAYS,
        funnel=numbers["funnel"],
        segments=numbers["segments"],
        scored_at=numbers["segmentsScoredAt"],
        period=numbers["cohorts"]["period"],
        periods=PERIODS,
        keep={"period": numbers["cohorts"]["period"]},  # a new range keeps the period
        at_risk=at_risk,
        problems=problems + refused,
    )


async def data(desk: Desk) -> Response:
    numbers, problems = await _numbers(desk, span_of(desk))
    if problems:
        return JSONResponse(
            {"errors": [{"code": p.code, "message": p.message} for p in problems]},
            status_code=403 if any(p.code == "FORBIDDEN" for p in problems) else 400,
        )
    return JSONResponse(numbers, headers={"Cache-Control": "no-store"})


async def export_cohorts(desk: Desk) -> Response:
    span = span_of(desk)
    numbers, _ = await _numbers(desk, span)
    table = numbers["cohorts"]
    unit = "week" if table["period"] == "WEEK" else "day"
    header = ["cohort", "size", *(f"{unit}_{n}" for n in table["days"])]
    rows = [[r["date"], r["size"], *r["rates"]] for r in table["rows"]]
    rows.append(["average", sum(r["size"] for r in table["rows"]), *table["average"]])
    return csv_download(f"retention-{span.start}-{span.end}.csv", header, rows)


async def refresh(desk: Desk) -> Response:
    """Queue refreshRetentionSignals: the segments and risks are scored again shortly."""
    outcome = await desk.run("ConsoleRefreshRetentionSignals")
    return desk.render(
        "action_result.html",
        status=200 if outcome.ok else 400,
        message=desk.t("growth.queued") if outcome.ok else None,
        problems=outcome.problems,
    )


async def export_at_risk(desk: Desk) -> Response:
    at_risk, _ = await _at_risk(desk)
    return csv_download(
        "at-risk-members.csv",
        ["member_id", "nickname", "segment", "risk", "reason", "last_active_at"],
        (
            [
                r["user"]["id"],
                r["user"]["nickname"],
                r["segment"],
                r["risk"],
                r["reason"],
                r["lastActiveAt"],
            ]
            for r in at_risk
        ),
    )
