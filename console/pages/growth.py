"""增长与留存: the day-cohort retention heatmap with an average row, the share funnel, the
segment sizes (their data from /console/growth/data.json, drawn by static/charts.js), and
the members at risk of drifting away, each linked to their record and exportable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.responses import JSONResponse, Response

from console.desk import Desk
from console.pages.common import csv_download
from console.pages.dashboard import chart_labels
from console.pages.ranges import CUSTOM_MAX_DAYS, PRESETS, Span, span_of

# The columns of the heatmap: retention N days after joining.
RETENTION_DAYS = (1, 2, 3, 4, 5, 6, 7, 14, 30)
AT_RISK_ROWS = 100
SEGMENTS = ("NEW", "ACTIVE", "CASUAL", "DORMANT", "CHURNED")
FUNNEL = ("shares", "opens", "signups", "first_posts")
CHART_LABELS = (
    "growth.cohort", "growth.day_n", "growth.average", "growth.size", "growth.rate",
    "dash.save_png", "dash.no_data",
)  # fmt: skip


def cohort_table(cohorts: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """Rows of rates per cohort (None where day N has not come yet) and the average row:
    retained ÷ size over the cohorts old enough for that day."""
    rows = []
    kept = {n: 0 for n in RETENTION_DAYS}
    sizes = {n: 0 for n in RETENTION_DAYS}
    for cohort in cohorts:
        joined = date.fromisoformat(cohort["cohortDate"])
        points = {p["day"]: p for p in cohort["points"]}
        rates: list[float | None] = []
        for n in RETENTION_DAYS:
            point = points.get(n)
            if point is None or joined + timedelta(days=n) > today:
                rates.append(None)
                continue
            rates.append(point["rate"])
            kept[n] += point["retained"]
            sizes[n] += cohort["size"]
        rows.append({"date": cohort["cohortDate"], "size": cohort["size"], "rates": rates})
    average = [round(kept[n] / sizes[n], 4) if sizes[n] else None for n in RETENTION_DAYS]
    return {"days": list(RETENTION_DAYS), "rows": rows, "average": average}


async def _numbers(desk: Desk, span: Span) -> tuple[dict[str, Any], list[Any]]:
    outcome = await desk.run(
        "GrowthNumbers",
        days=list(RETENTION_DAYS),
        **{"from": str(span.start), "to": str(span.end)},
    )
    found = outcome.data or {}
    today = desk.console.runtime(desk.request).rules.calendar.today()
    funnel = {s["name"]: s["count"] for s in found.get("shareFunnel") or []}
    segments = {s["name"]: s["count"] for s in found.get("userSegments") or []}
    return {
        "range": {"from": str(span.start), "to": str(span.end), "key": span.key},
        "cohorts": cohort_table(found.get("retentionCohorts") or [], today),
        "funnel": [
            {"name": desk.t("funnel." + n), "count": funnel[n]} for n in FUNNEL if n in funnel
        ],
        "segments": [
            {"key": n, "name": desk.t("segment." + n), "count": segments[n]}
            for n in SEGMENTS
            if n in segments
        ],
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
    header = ["cohort", "size", *(f"day_{n}" for n in RETENTION_DAYS)]
    rows = [[r["date"], r["size"], *r["rates"]] for r in table["rows"]]
    rows.append(["average", sum(r["size"] for r in table["rows"]), *table["average"]])
    return csv_download(f"retention-{span.start}-{span.end}.csv", header, rows)


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
