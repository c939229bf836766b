"""角色: an admin gives a member a role (the API logs it and enforces who may)."""

from __future__ import annotations

from starlette.responses import Response

from console.desk import Desk
from console.pages.common import member_id

ROLES = ("MEMBER", "MODERATOR", "OPERATOR", "ADMIN")


async def show(desk: Desk) -> Response:
    message, problems = None, []
    if desk.request.method == "POST":
        form = await desk.request.form()
        role = str(form.get("role", ""))
        outcome = await desk.run(
            "SetUserRole",
            userId=member_id(str(form.get("user_id", ""))) or "",
            role=role if role in ROLES else "MEMBER",
        )
        problems = outcome.problems
        done = (outcome.data or {}).get("setUserRole")
        if done:
            user = done["user"]
            message = desk.t(
                "roles.done", name=user["nickname"], role=desk.t("role." + user["role"])
            )
    return desk.render(
        "roles.html",
        status=200 if not problems else 400,
        roles=ROLES,
        message=message,
        problems=problems,
    )
