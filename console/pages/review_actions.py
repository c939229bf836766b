"""The workbench's writes: claiming and releasing a task, and deciding one or many (with the
violation type, a note, and optionally a sanction on each author right after)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.responses import Response

from console.desk import Desk
from console.pages.review import DECISIONS, REASONS, author_of, render_detail

# The most tasks one decision takes (the API's decideReviews cap).
BULK_MAX = 50


async def _task_action(desk: Desk, operation: str) -> Response:
    form = await desk.request.form()
    task_id = str(form.get("task_id", ""))
    done = await desk.run(operation, taskId=task_id)
    task_outcome = await desk.run("ReviewTaskDetail", id=task_id)
    task = (task_outcome.data or {}).get("node")
    if not task:
        return desk.render("review_detail.html", status=404, task=None, problems=done.problems)
    return await render_detail(desk, task, problems=done.problems)


async def claim(desk: Desk) -> Response:
    return await _task_action(desk, "ClaimReviewTask")


async def release(desk: Desk) -> Response:
    return await _task_action(desk, "ReleaseReviewTask")


def _choice(form: FormData, name: str, allowed: tuple[str, ...]) -> str | None:
    value = str(form.get(name, ""))
    return value if value in allowed else None


async def decide(desk: Desk) -> Response:
    form = await desk.request.form()
    task_ids = [str(t) for t in form.getlist("task_id") if str(t)][:BULK_MAX]
    decision = _choice(form, "decision", DECISIONS) or ""
    violation = _choice(form, "violation", REASONS) if decision != "APPROVE" else None
    note = str(form.get("note", "")).strip() or None
    results = await _decide(desk, task_ids, decision, violation, note)
    sanctions: list[dict[str, Any]] = []
    if form.get("sanction") and decision != "APPROVE":
        sanctions = await _sanction_authors(desk, [r["taskId"] for r in results if r["ok"]], form)
    return desk.render(
        "review_results.html",
        results=results,
        sanctions=sanctions,
        decision=decision,
    )


async def _decide(
    desk: Desk, task_ids: list[str], decision: str, violation: str | None, note: str | None
) -> list[dict[str, Any]]:
    """A result per task: {taskId, ok, message, task}. One task goes through decideReview,
    whose refusal says why in words (a claim names its holder); several through
    decideReviews, one refusal not stopping the others."""
    if not task_ids:
        return []
    variables = {"decision": decision, "violation": violation, "note": note}
    if len(task_ids) == 1:
        outcome = await desk.run("DecideReview", taskId=task_ids[0], **variables)
        payload = (outcome.data or {}).get("decideReview")
        return [
            {
                "taskId": task_ids[0],
                "ok": payload is not None,
                "task": payload["task"] if payload else None,
                "message": "; ".join(p.message for p in outcome.problems),
            }
        ]
    outcome = await desk.run("DecideReviews", taskIds=task_ids, **variables)
    payload = (outcome.data or {}).get("decideReviews")
    if payload is None:
        message = "; ".join(p.message for p in outcome.problems)
        return [{"taskId": t, "ok": False, "task": None, "message": message} for t in task_ids]
    return [
        {
            **result,
            "message": "" if result["ok"] else _refusal(desk, result["errorCode"]),
        }
        for result in payload["results"]
    ]


def _refusal(desk: Desk, code: str | None) -> str:
    key = f"review.refused.{code}"
    said = desk.t(key)
    return said if said != key else desk.t("review.refused.other", code=code or "?")


async def _sanction_authors(
    desk: Desk, task_ids: list[str], form: FormData
) -> list[dict[str, Any]]:
    """The page's "sanction the author too": sent right after the decision, once per author."""
    kind = _choice(form, "sanction_kind", ("MUTE", "BAN")) or "MUTE"
    hours = str(form.get("sanction_hours", "")).strip()
    reason = str(form.get("sanction_reason", "")).strip() or desk.t("review.sanction_default")
    authors: dict[str, str] = {}
    for task_id in task_ids:
        found = await desk.run("ReviewTaskDetail", id=task_id)
        author = author_of((found.data or {}).get("node") or {})
        if author:
            authors.setdefault(author["id"], author["nickname"])
    done = []
    for user_id, nickname in authors.items():
        outcome = await desk.run(
            "SanctionUser",
            userId=user_id,
            kind=kind,
            hours=int(hours) if hours.isdigit() else None,
            reason=reason,
        )
        done.append({"nickname": nickname, "ok": outcome.ok, "problems": outcome.problems})
    return done
