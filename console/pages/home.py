"""今日: the day's to-do list, each line a link to the list that works it off."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from console.desk import Desk
from console.templating import age_text, parse_time, sla_colour
from domain.models import ReviewStage, Role


def _stage_line(desk: Desk, load: dict[str, Any], now: datetime) -> dict[str, Any]:
    stage = ReviewStage(load["stage"])
    oldest = parse_time(load["oldestEnteredAt"])
    rules = desk.console.runtime(desk.request).rules
    due = rules.review_due(stage, oldest) if oldest else None
    colour = "red" if load["overdueCount"] else sla_colour(oldest, due, now)
    return {
        "stage": stage.value,
        "open": load["openCount"],
        "overdue": load["overdueCount"],
        "oldest": age_text((now - oldest).total_seconds(), desk.locale) if oldest else None,
        "colour": colour if load["openCount"] else "clear",
        "href": f"/console/review?stage={stage.value}",
        # Final review is the operators' (FORBIDDEN for a moderator): shown, not linked.
        "linked": stage is not ReviewStage.FINAL or desk.allows(Role.OPERATOR),
    }


async def show(desk: Desk) -> Response:
    outcome = await desk.run("ConsoleOverview")
    overview = (outcome.data or {}).get("consoleOverview")
    now = datetime.now(UTC)
    stages = [_stage_line(desk, load, now) for load in overview["reviewStages"]] if overview else []
    operators: dict[str, Any] | None = None
    if desk.allows(Role.OPERATOR):  # overdue tickets and open alerts: FORBIDDEN below that
        extra = await desk.run("ConsoleOverviewOperators")
        operators = (extra.data or {}).get("consoleOverview")
    return desk.render(
        "home.html",
        overview=overview,
        stages=stages,
        operators=operators,
        problems=outcome.problems,
    )
