"""The dashboard's numbers, read through the API's own operations: the KPI tiles (a range
against the period before it) and the per-day series its charts draw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.desk import Desk
from console.gql import GraphQLProblem
from console.pages.ranges import Span

DAY_FIELDS = ("dau", "newUsers", "posts", "comments", "likes", "shares", "reports")


@dataclass(frozen=True)
class Tile:
    key: str  # the texts catalogue's kpi.<key>, and the series its sparkline draws
    series: str
    value: str
    change: str | None  # "+12.5%" for counts, "+1.2 pp" for rates; None without a base
    trend: str  # "up", "down" or "flat"
    good: bool  # whether the change is good news (a rising report rate is not)


def _share(value: float) -> str:
    return f"{value * 100:.1f}%"


def _count_change(now: float, before: float) -> tuple[str | None, str]:
    if before == 0:
        return (None, "flat") if now == 0 else ("+∞", "up")
    change = (now - before) / before
    trend = "flat" if abs(change) < 0.0005 else "up" if change > 0 else "down"
    return f"{change * 100:+.1f}%", trend


def _rate_change(now: float, before: float) -> tuple[str | None, str]:
    points = (now - before) * 100
    trend = "flat" if abs(points) < 0.05 else "up" if points > 0 else "down"
    return f"{points:+.1f} pp", trend


def _tile(
    key: str, series: str, value: str, moved: tuple[str | None, str], rising_bad=False
) -> Tile:
    change, trend = moved
    return Tile(key, series, value, change, trend, (trend == "up") != rising_bad or trend == "flat")


def tiles(now: dict[str, Any], before: dict[str, Any]) -> list[Tile]:
    """The eight KPI tiles from communityMetrics over the range and the period before it."""

    def mean_dau(metrics: dict[str, Any]) -> float:
        days = metrics["days"]
        return sum(d["dau"] for d in days) / len(days) if days else 0.0

    def joined(metrics: dict[str, Any]) -> int:
        return sum(d["newUsers"] for d in metrics["days"])

    dau, dau_before = mean_dau(now), mean_dau(before)
    rates = (
        ("stickiness", "stickiness", False),
        ("interaction", "interactionRate", False),
        ("reply", "replyRate", False),
        ("report", "reportRate", True),
    )
    return [
        _tile("dau", "dau", f"{dau:,.1f}", _count_change(dau, dau_before)),
        _tile("new", "newUsers", f"{joined(now):,}", _count_change(joined(now), joined(before))),
        _tile("wau", "wau", f"{now['wau']:,}", _count_change(now["wau"], before["wau"])),
        _tile("mau", "mau", f"{now['mau']:,}", _count_change(now["mau"], before["mau"])),
        *(
            _tile(key, field, _share(now[field]), _rate_change(now[field], before[field]), bad)
            for key, field, bad in rates
        ),
    ]


async def period_metrics(
    desk: Desk, span: Span
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[GraphQLProblem]]:
    """communityMetrics over the span and over the period of the same length before it."""
    now = await desk.run("DashboardMetrics", **{"from": str(span.start), "to": str(span.end)})
    previous = span.previous
    before = await desk.run(
        "DashboardMetrics", **{"from": str(previous.start), "to": str(previous.end)}
    )
    return (
        (now.data or {}).get("communityMetrics"),
        (before.data or {}).get("communityMetrics"),
        now.problems + before.problems,
    )


async def day_rates(desk: Desk, span: Span) -> list[dict[str, Any]]:
    """Each day's WAU, MAU, stickiness and rates: communityMetrics over that one day."""
    rows = []
    for day in span.each_day():
        outcome = await desk.run("DashboardDayRates", **{"from": str(day), "to": str(day)})
        rows.append((outcome.data or {}).get("communityMetrics") or {})
    return rows


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def moderation(data: dict[str, Any] | None, stage_text: Any) -> dict[str, Any]:
    """Moderation health from consoleOverview (the backlog now) and reviewMetrics (speed)."""
    if not data:
        return {"backlog": 0, "overdue": 0, "withinSla": None, "days": [], "stages": []}
    loads = {s["stage"]: s for s in data["consoleOverview"]["reviewStages"]}
    metrics = data["reviewMetrics"]
    days = metrics["days"]
    decided = sum(d["decided"] for d in days)
    stages = []
    for speed in metrics["stages"]:
        load = loads.get(speed["stage"], {})
        stages.append(
            {
                "stage": speed["stage"],
                "label": stage_text(speed["stage"]),
                "open": load.get("openCount", 0),
                "overdue": load.get("overdueCount", 0),
                "decided": speed["decided"],
                "medianHours": _hours(speed["medianSeconds"]),
                "p95Hours": _hours(speed["p95Seconds"]),
                "withinSla": speed["withinSlaRate"],
            }
        )
    return {
        "backlog": sum(s["openCount"] for s in loads.values()),
        "overdue": sum(s["overdueCount"] for s in loads.values()),
        "withinSla": _ratio(sum(d["decidedWithinSla"] for d in days), decided),
        "days": [d["date"] for d in days],
        "inflow": [d["inflow"] for d in days],
        "decided": [d["decided"] for d in days],
        "withinSlaDaily": [_ratio(d["decidedWithinSla"], d["decided"]) for d in days],
        "stages": stages,
    }


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def series(
    now: dict[str, Any], before: dict[str, Any] | None, rates: list[dict[str, Any]]
) -> dict[str, Any]:
    """The per-day series the charts and sparklines draw, aligned on the range's dates."""
    days = now["days"]
    found: dict[str, Any] = {"dates": [d["date"] for d in days]}
    for name in DAY_FIELDS:
        found[name] = [d[name] for d in days]
    found["prevDau"] = [d["dau"] for d in (before or {}).get("days", [])]
    found["prevDates"] = [d["date"] for d in (before or {}).get("days", [])]
    for name in ("wau", "mau", "stickiness", "interactionRate", "replyRate", "reportRate"):
        found[name] = [r.get(name) for r in rates]
    found["dauMau"] = [
        _ratio(d["dau"], r["mau"]) if r.get("mau") else None
        for d, r in zip(days, rates, strict=True)
    ]
    return found


REASONS = ("SPAM", "ABUSE", "PORN", "POLITICS", "ILLEGAL", "FRAUD", "OTHER")


def report_reasons(now: dict[str, Any], reason_text: Any) -> list[dict[str, Any]]:
    """Each report reason seen in the range with its count per day (0 on days without),
    the stacks of the reports chart."""
    per_day = [
        {r["reason"]: r["count"] for r in d.get("reportsByReason") or []} for d in now["days"]
    ]
    seen = {reason for day in per_day for reason, count in day.items() if count}
    return [
        {"reason": r, "label": reason_text(r), "counts": [day.get(r, 0) for day in per_day]}
        for r in (*REASONS, *sorted(seen - set(REASONS)))
        if r in seen
    ]


def feedback(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """feedbackMetrics over the range for its tiles: counts, the median first reply in
    hours, the within-SLA share and the average rating (None where there is none)."""
    found = (data or {}).get("feedbackMetrics")
    if not found:
        return None
    return {
        "received": found["received"],
        "resolved": found["resolved"],
        "medianReplyHours": _hours(found["medianFirstReplySeconds"]),
        "withinSla": found["withinSlaRate"],
        "averageRating": found["averageRating"],
    }
