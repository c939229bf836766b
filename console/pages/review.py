"""审核工作台: the queue of one stage (or the appeals) under filters, each row with its SLA
clock, and one task in detail: the content with the matched words highlighted, the author's
earlier rejections and sanctions, the decisions already taken, and the rules that apply."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from console.desk import Desk
from console.pages.common import after, highlight
from console.templating import parse_time, sla_colour
from domain.models import ReportReason, Role

TABS = ("FIRST", "SECOND", "FINAL", "APPEAL")
TARGET_TYPES = ("POST", "COMMENT", "ANSWER", "USER")
REASONS = tuple(r.value for r in ReportReason)
DECISIONS = ("APPROVE", "REJECT", "ESCALATE")


def tabs_for(desk: Desk) -> list[str]:
    """Final review and appeals are the operators'."""
    return list(TABS if desk.allows(Role.OPERATOR) else TABS[:2])


def _form(desk: Desk) -> dict[str, str]:
    params = desk.request.query_params
    names = ("reason", "type", "min", "from", "to")
    form = {name: params.get(name, "").strip() for name in names}
    stage = params.get("stage", "FIRST")
    form["stage"] = stage if stage in tabs_for(desk) else "FIRST"
    return form


def _is_date(value: str) -> bool:
    digits = value.replace("-", "")
    return len(value) == 10 and value[4] == value[7] == "-" and digits.isdigit()


def _query(form: dict[str, str]) -> dict[str, Any]:
    """ReviewWorkbench's variables for the tab and filters."""
    tab = form["stage"]
    found: dict[str, Any] = {}
    if tab in ("FINAL", "APPEAL"):
        found["appealsOnly"] = tab == "APPEAL"
    if form["reason"] in REASONS:
        found["reportReasons"] = [form["reason"]]
    if form["type"] in TARGET_TYPES:
        found["targetType"] = form["type"]
    if form["min"].isdigit() and 0 < len(form["min"]) < 6:
        found["minReports"] = int(form["min"])
    if _is_date(form["from"]):
        found["createdAfter"] = form["from"] + "T00:00:00"
    if _is_date(form["to"]):
        found["createdBefore"] = form["to"] + "T23:59:59.999"
    return {"stage": "FINAL" if tab == "APPEAL" else tab, "filter": found}


def author_of(task: dict[str, Any]) -> dict[str, Any] | None:
    target = task.get("target") or {}
    if target.get("__typename") == "User":
        return {"id": target["id"], "nickname": target["nickname"]}
    return target.get("author")


def text_of(task: dict[str, Any]) -> str:
    target = task.get("target") or {}
    if target.get("__typename") == "User":
        return target.get("nickname", "")
    title = target.get("title") or ""
    return f"{title}\n{target.get('body', '')}" if title else target.get("body", "")


def row(task: dict[str, Any], now: datetime) -> dict[str, Any]:
    entered, due = parse_time(task["stageEnteredAt"]), parse_time(task["dueAt"])
    return {
        **task,
        "author": author_of(task),
        "excerpt": " ".join(text_of(task).split())[:140],
        "kind": (task.get("target") or {}).get("__typename", "?"),
        "colour": sla_colour(entered, due, now),
    }


async def _page(desk: Desk, form: dict[str, str]) -> tuple[Any, Any]:
    query = _query(form)
    outcome = await desk.run(
        "ReviewWorkbench",
        stage=query["stage"],
        filter=query["filter"],
        first=desk.console.page_max,
        after=after(desk),
    )
    return (outcome.data or {}).get("reviewQueue"), outcome.problems


async def show(desk: Desk) -> Response:
    form = _form(desk)
    page, problems = await _page(desk, form)
    now = datetime.now(UTC)
    return desk.render(
        "review.html",
        form=form,
        query=urlencode({k: v for k, v in form.items() if v}),
        tabs=tabs_for(desk),
        page=page,
        rows=[row(edge["node"], now) for edge in page["edges"]] if page else [],
        reasons=REASONS,
        target_types=TARGET_TYPES,
        undo_seconds=desk.console.undo_seconds,
        problems=problems,
    )


async def rows(desk: Desk) -> Response:
    """The next page of the queue, appended below the rows already shown."""
    form = _form(desk)
    page, problems = await _page(desk, form)
    now = datetime.now(UTC)
    return desk.render(
        "review_rows.html",
        form=form,
        query=urlencode({k: v for k, v in form.items() if v}),
        page=page,
        rows=[row(edge["node"], now) for edge in page["edges"]] if page else [],
        problems=problems,
    )


def rule_notes(desk: Desk, task: dict[str, Any]) -> tuple[list[str], bool]:
    """The reviewer rules that apply to this viewer, said out loud, and whether they keep
    the viewer from deciding (the API refuses anyway; the page says why first)."""
    notes: list[str] = []
    blocked = False
    viewer = desk.viewer_id
    author = author_of(task)
    if author and author["id"] == viewer:
        notes.append(desk.t("review.own_content"))
        blocked = True
    firsts = [h for h in task["history"] if h["stage"] == "FIRST" and h["actor"]]
    if task["stage"] == "SECOND" and firsts:
        first = firsts[-1]["actor"]
        if first["id"] == viewer:
            notes.append(desk.t("review.second_rule_you", name=first["nickname"]))
            blocked = True
        else:
            notes.append(desk.t("review.second_rule", name=first["nickname"]))
    claimed = task.get("claimedBy")
    if claimed and claimed["id"] != viewer:
        notes.append(desk.t("review.claimed_by", name=claimed["nickname"]))
    return notes, blocked


async def detail(desk: Desk) -> Response:
    task_id = desk.request.path_params["task_id"]
    outcome = await desk.run("ReviewTaskDetail", id=task_id)
    task = (outcome.data or {}).get("node")
    if not task or "stage" not in task:
        return desk.render("review_detail.html", status=404, task=None, problems=outcome.problems)
    return await render_detail(desk, task)


async def render_detail(desk: Desk, task: dict[str, Any], **extra: Any) -> Response:
    author = author_of(task)
    sample = text_of(task)
    checked, record = await asyncio.gather(
        desk.run("CheckText", text=sample),
        desk.run("ReviewAuthor", userId=author["id"]) if author else _nothing(),
    )
    found = (checked.data or {}).get("checkText") if checked else None
    notes, blocked = rule_notes(desk, task)
    return desk.render(
        "review_detail.html",
        task=row(task, datetime.now(UTC)),
        segments=highlight(sample, found["matches"]) if found else [],
        record=(record.data or {}).get("memberRecord") if record else None,
        notes=notes,
        blocked=blocked,
        mine=(task.get("claimedBy") or {}).get("id") == desk.viewer_id,
        reasons=REASONS,
        may_ban=desk.allows(Role.OPERATOR),
        problems=extra.pop("problems", []),
        **extra,
    )


async def _nothing() -> None:
    return None
