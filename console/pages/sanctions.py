"""举报与处罚: sanctions in force with the time they have left, ended ones, and lifting (the
API's rank rules decide who may lift what)."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.responses import Response

from console.desk import Desk
from console.pages.common import after
from console.templating import age_text, parse_time


async def show(desk: Desk) -> Response:
    active = desk.request.query_params.get("active", "1") != "0"
    outcome = await desk.run(
        "Sanctions", active=active, first=desk.console.page_max, after=after(desk)
    )
    page = (outcome.data or {}).get("sanctions")
    now = datetime.now(UTC)
    rows = []
    for edge in page["edges"] if page else ():
        node = edge["node"]
        until = parse_time(node["until"])
        left = (until - now).total_seconds() if until else 0
        rows.append({**node, "left": age_text(left, desk.locale) if left > 0 else None})
    return desk.render(
        "sanctions.html", page=page, rows=rows, active=active, problems=outcome.problems
    )


async def lift(desk: Desk) -> Response:
    form = await desk.request.form()
    sanction_id = str(form.get("sanction_id", ""))
    outcome = await desk.run("LiftSanction", sanctionId=sanction_id)
    return desk.render(
        "sanction_lifted.html",
        status=200 if outcome.ok else 400,
        sanction_id=sanction_id,
        problems=outcome.problems,
    )
