"""操作日志: the moderation log filtered by actor, action, target type and dates, and its CSV
export (UTF-8 with a byte order mark, so Excel reads the Chinese)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from console.desk import Desk
from console.pages.common import after, csv_download, export_pages, member_id

# The values ModerationLogEntry.action and .targetType take (README, "moderation log").
ACTIONS = (
    "REVIEW_APPROVE", "REVIEW_REJECT", "REVIEW_ESCALATE", "MUTE", "BAN", "LIFT_MUTE",
    "LIFT_BAN", "HIDE_CONTENT", "SET_ROLE", "APPROVE_MEMBER", "PIN_GLOBAL", "PIN_CIRCLE",
    "UNPIN", "FEATURE", "UNFEATURE", "COLLECT", "UNCOLLECT", "CREATE_COLLECTION",
    "CREATE_CIRCLE", "CREATE_EVENT", "FEEDBACK_IN_PROGRESS", "FEEDBACK_RESOLVED",
    "FEEDBACK_CLOSED", "ADD_WORDS", "REMOVE_WORDS",
)  # fmt: skip
TARGET_TYPES = (
    "POST", "COMMENT", "ANSWER", "USER", "COLLECTION", "CIRCLE", "EVENT", "FEEDBACK", "WORDS",
)  # fmt: skip


def _form(desk: Desk) -> dict[str, str]:
    params = desk.request.query_params
    names = ("actor", "action", "type", "from", "to")
    return {name: params.get(name, "").strip() for name in names}


def _filter(form: dict[str, str]) -> dict[str, Any]:
    """The API's ModerationLogFilter from the form; dates are whole days on the community's
    clock, both ends included."""
    found: dict[str, Any] = {}
    if form["actor"]:
        found["actorId"] = member_id(form["actor"])
    if form["action"] in ACTIONS:
        found["actions"] = [form["action"]]
    if form["type"] in TARGET_TYPES:
        found["targetType"] = form["type"]
    if _is_date(form["from"]):
        found["from"] = form["from"] + "T00:00:00"
    if _is_date(form["to"]):
        found["to"] = form["to"] + "T23:59:59.999"
    return found


def _is_date(value: str) -> bool:
    digits = value.replace("-", "")
    return len(value) == 10 and value[4] == value[7] == "-" and digits.isdigit()


async def show(desk: Desk) -> Response:
    form = _form(desk)
    outcome = await desk.run(
        "ModerationLogFiltered",
        filter=_filter(form),
        first=desk.console.page_max,
        after=after(desk),
    )
    query = urlencode({k: v for k, v in form.items() if v})
    return desk.render(
        "log.html",
        page=(outcome.data or {}).get("moderationLog"),
        form=form,
        query=query,
        actions=ACTIONS,
        target_types=TARGET_TYPES,
        problems=outcome.problems,
    )


async def export(desk: Desk) -> Response:
    nodes = await export_pages(
        desk, "ModerationLogFiltered", "moderationLog", filter=_filter(_form(desk))
    )
    return csv_download(
        "moderation-log.csv",
        ["time", "actor_id", "actor", "action", "target_type", "target_id", "note"],
        (
            [
                n["createdAt"],
                (n["actor"] or {}).get("id"),
                (n["actor"] or {}).get("nickname"),
                n["action"],
                n["targetType"],
                n["targetId"],
                n["note"],
            ]
            for n in nodes
        ),
    )
