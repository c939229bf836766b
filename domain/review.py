"""The multi-stage review (初审 → 复审 → 终审) and appeals.

FIRST (moderators): APPROVE publishes; REJECT or ESCALATE sends it to SECOND.
SECOND (a moderator other than the first reviewer): APPROVE publishes, REJECT rejects,
ESCALATE sends it to FINAL. FINAL (operators): APPROVE or REJECT, final. An author may appeal
a rejection once: the appeal goes straight to FINAL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog, rewards
from domain.content_status import DELETED, PUBLISHED, set_status
from domain.errors import BadInput, Conflict, Forbidden, NotFound
from domain.models import (
    NotificationKind,
    Post,
    PostStatus,
    ReportStatus,
    ReviewStage,
    ReviewStatus,
    ReviewTask,
    TargetType,
    User,
)
from domain.notifications import notify
from domain.pagination import Page, keyset_page
from domain.rules import CommunityRules
from domain.screening import Scene, Screening, screen_texts


class Decision(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    ESCALATE = "ESCALATE"


async def open_task(
    target: TargetType,
    target_id: int,
    reasons: list[str],
    conn: BaseDBAsyncClient,
    *,
    reports: int = 0,
    stage: ReviewStage = ReviewStage.FIRST,
    appeal: bool = False,
) -> ReviewTask:
    """Open a review task for the target, or add the reasons (and reports) to its open one.
    (`WHERE status = 'OPEN'` names the partial unique index of migration 0004: PostgreSQL
    infers it from a constant only, so that one literal stays.)"""
    rows = await sql.fetch(
        """
        INSERT INTO review_tasks (target_type, target_id, stage, status, reasons, report_count,
            appeal, created_at, updated_at)
        VALUES ($1, $2, $3, $7, $4::jsonb, $5, $6, now(), now())
        ON CONFLICT (target_type, target_id) WHERE status = 'OPEN' DO UPDATE SET
            reasons = (SELECT jsonb_agg(DISTINCT r) FROM jsonb_array_elements(
                review_tasks.reasons || EXCLUDED.reasons) r),
            report_count = review_tasks.report_count + EXCLUDED.report_count,
            updated_at = now()
        RETURNING id
        """,
        target.value,
        target_id,
        stage.value,
        json.dumps(reasons, ensure_ascii=False),
        reports,
        appeal,
        ReviewStatus.OPEN.value,
        conn=conn,
    )
    return await ReviewTask.filter(id=rows[0]["id"]).using_db(conn).get()


# Open tasks with the member each is about: the author of the post, comment or answer, or
# the reported member.
_TASKS_ABOUT = """
    SELECT t.id, COALESCE(p.author_id, c.author_id, a.author_id,
        CASE WHEN t.target_type = 'USER' THEN t.target_id END) AS about
    FROM review_tasks t
    LEFT JOIN posts p ON t.target_type = 'POST' AND p.id = t.target_id
    LEFT JOIN comments c ON t.target_type = 'COMMENT' AND c.id = t.target_id
    LEFT JOIN answers a ON t.target_type = 'ANSWER' AND a.id = t.target_id
"""


async def queue(
    viewer: User, stage: ReviewStage, *, first: int | None, after: str | None, cap: int
) -> Page:
    """Open tasks at a stage, oldest first; the viewer's own content waits for others."""
    open_at_stage = f"{_TASKS_ABOUT} WHERE t.status = $2 AND t.stage = $3"
    own = await sql.fetch(
        f"SELECT id FROM ({open_at_stage}) o WHERE about = $1",
        viewer.id,
        ReviewStatus.OPEN.value,
        stage.value,
    )
    query = ReviewTask.filter(stage=stage, status=ReviewStatus.OPEN)
    if own:
        query = query.exclude(id__in=[row["id"] for row in own])
    return await keyset_page(query, first=first, after=after, order=("created_at", "id"), cap=cap)


async def _check_may_decide(actor: User, task: ReviewTask, conn: BaseDBAsyncClient) -> None:
    final_stage = task.stage == ReviewStage.FINAL
    if not access.can_review(actor, final_stage=final_stage):
        raise Forbidden()
    [row] = await sql.fetch(f"{_TASKS_ABOUT} WHERE t.id = $1", task.id, conn=conn)
    if not access.can_decide_review(actor, final_stage=final_stage, about_user_id=row["about"]):
        raise Forbidden("review_own")
    if task.stage == ReviewStage.SECOND and task.first_reviewer_id == actor.id:  # type: ignore[attr-defined]
        raise Forbidden("same_reviewer")


async def decide(
    actor: User, task_id: int, decision: Decision, note: str = "", *, rules: CommunityRules
) -> ReviewTask:
    """Apply a reviewer's decision at the task's stage."""
    async with in_transaction() as conn:
        task = (
            await ReviewTask.filter(id=task_id)
            .using_db(conn)
            .select_for_update(no_key=True)
            .first()
        )
        if task is None:
            raise NotFound("task_not_found", field="taskId")
        if task.status != ReviewStatus.OPEN:
            raise Conflict("task_closed", field="taskId")
        await _check_may_decide(actor, task, conn)
        target = TargetType(task.target_type)
        if decision == Decision.APPROVE:
            old = await set_status(target, task.target_id, PostStatus.PUBLISHED, conn)
            if old not in (PUBLISHED, DELETED):
                await rewards.content_published(target, task.target_id, conn, rules=rules)
            await _close(task, ReviewStatus.APPROVED, conn)
            await _tell_author(target, task.target_id, NotificationKind.REVIEW_APPROVED, conn)
        elif task.stage == ReviewStage.FIRST:
            task.stage = ReviewStage.SECOND
            task.first_reviewer_id = actor.id
        elif decision == Decision.REJECT:
            await set_status(target, task.target_id, PostStatus.REJECTED, conn)
            await _close(task, ReviewStatus.REJECTED, conn)
            await _tell_author(target, task.target_id, NotificationKind.REVIEW_REJECTED, conn)
        elif task.stage == ReviewStage.SECOND:
            task.stage = ReviewStage.FINAL
        else:
            raise BadInput("final_no_escalate", field="decision")
        await task.save(using_db=conn)
        await modlog.record(
            actor, f"REVIEW_{decision.value}", target.value, task.target_id, note, conn=conn
        )
    return task


async def _tell_author(
    target: TargetType, target_id: int, kind: NotificationKind, conn: BaseDBAsyncClient
) -> None:
    """The author learns the outcome of a review of their content (members: nothing)."""
    if target is TargetType.POST:
        rows = await sql.fetch(
            "SELECT author_id, title, body FROM posts WHERE id = $1", target_id, conn=conn
        )
        if rows:
            text = rows[0]["title"] or rows[0]["body"]
            await notify(rows[0]["author_id"], kind, conn, post_id=target_id, snippet=text)
    elif target in (TargetType.COMMENT, TargetType.ANSWER):
        table = "comments" if target is TargetType.COMMENT else "answers"
        rows = await sql.fetch(
            f"SELECT author_id, body FROM {table} WHERE id = $1", target_id, conn=conn
        )
        if rows:
            is_comment = target is TargetType.COMMENT
            await notify(
                rows[0]["author_id"],
                kind,
                conn,
                snippet=rows[0]["body"],
                comment_id=target_id if is_comment else None,
                subject_id=None if is_comment else target_id,
            )


async def _close(task: ReviewTask, status: ReviewStatus, conn: BaseDBAsyncClient) -> None:
    task.status = status
    task.closed_at = datetime.now(UTC)
    await sql.execute(
        "UPDATE reports SET status = $2 WHERE task_id = $1",
        task.id,
        ReportStatus.RESOLVED.value,
        conn=conn,
    )


async def appeal_rejection(
    author: User, post_id: int, reason: str, *, screener: Screening
) -> ReviewTask:
    """The author appeals a rejected post, once; the appeal goes to FINAL review. The reason is
    screened: BLOCK words are refused (reviewers read it; review words pass)."""
    reason = reason.strip()
    if not 1 <= len(reason) <= 500:
        raise BadInput("bad_input", field="reason")
    await screen_texts(screener, author, [("reason", reason)], Scene.COMMENT)
    async with in_transaction() as conn:
        post = await Post.filter(id=post_id).using_db(conn).select_for_update(no_key=True).first()
        if post is None or post.author_id != author.id:  # type: ignore[attr-defined]
            raise NotFound("post_not_found", field="postId")
        if post.status != PostStatus.REJECTED:
            raise BadInput("not_rejected", field="postId")
        appealed = (
            await ReviewTask.filter(target_type=TargetType.POST, target_id=post_id, appeal=True)
            .using_db(conn)
            .exists()
        )
        if appealed:
            raise Conflict("already_appealed", field="postId")
        return await open_task(
            TargetType.POST,
            post_id,
            [f"申诉：{reason}"],
            conn,
            stage=ReviewStage.FINAL,
            appeal=True,
        )
