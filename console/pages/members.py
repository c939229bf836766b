"""成员: a member's record (profile, posts, reports, rejections, sanctions, log entries), and
what staff do about them: sanction, or hide their recent content (a spam wave)."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from console.desk import Desk
from console.pages.common import member_id
from domain.models import Role


async def lookup(desk: Desk) -> Response:
    found = member_id(desk.request.query_params.get("id", ""))
    target = f"/console/members/{found}" if found else "/console/sanctions"
    return RedirectResponse(target, status_code=303)


async def show(desk: Desk) -> Response:
    user_id = desk.request.path_params["user_id"]
    outcome = await desk.run("MemberRecord", userId=user_id)
    record = (outcome.data or {}).get("memberRecord")
    return desk.render(
        "member.html",
        status=200 if record else 404,
        record=record,
        user_id=user_id,
        may_ban=desk.allows(Role.OPERATOR),
        problems=outcome.problems,
    )


async def sanction(desk: Desk) -> Response:
    form = await desk.request.form()
    hours = str(form.get("hours", "")).strip()
    outcome = await desk.run(
        "SanctionUser",
        userId=desk.request.path_params["user_id"],
        kind=str(form.get("kind", "MUTE")),
        hours=int(hours) if hours.isdigit() else None,
        reason=str(form.get("reason", "")).strip(),
    )
    done = (outcome.data or {}).get("sanctionUser")
    return desk.render(
        "action_result.html",
        status=200 if outcome.ok else 400,
        message=desk.t("member.sanctioned") if done else None,
        problems=outcome.problems,
    )


async def hide(desk: Desk) -> Response:
    form = await desk.request.form()
    outcome = await desk.run(
        "HideMemberContent",
        userId=desk.request.path_params["user_id"],
        since=_seconds(str(form.get("since", ""))),
        reason=str(form.get("reason", "")).strip(),
    )
    done = (outcome.data or {}).get("hideMemberContent")
    return desk.render(
        "action_result.html",
        status=200 if outcome.ok else 400,
        message=desk.t("member.hidden", n=done["hiddenCount"]) if done else None,
        problems=outcome.problems,
    )


def _seconds(local: str) -> str:
    """A datetime-local input's value (`2026-11-27T10:00`, the community's clock) with the
    seconds RFC 3339 wants."""
    return local + ":00" if len(local) == 16 else local
