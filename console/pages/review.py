"""审核工作台 (placeholder until the workbench lands)."""

from __future__ import annotations

from starlette.responses import Response

from console.desk import Desk


async def show(desk: Desk) -> Response:
    return desk.render("home.html", overview=None, stages=[], problems=[])


rows = detail = claim = release = decide = show
