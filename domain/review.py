"""The multi-stage review (初审 → 复审 → 终审) and appeals.

FIRST (moderators): APPROVE publishes; REJECT or ESCALATE sends it to SECOND.
SECOND (a moderator other than the first reviewer): APPROVE publishes, REJECT rejects,
ESCALATE sends it to FINAL. FINAL (operators): APPROVE or REJECT, final. An author may appeal
a rejection once: the appeal goes straight to FINAL. While a reviewer's claim on a task holds
(review_claims.py), nobody else decides it; every decision is kept in the task's history with
the violation type (违规类型) given."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog, rewards
from domain.content_status import DELETED, PUBLISHED, lock_content, set_status
from domain.errors import BadInput, Conflict, Forbidden, NotFound, QuanziError, TryAgain
from domain.models import (
    NotificationKind,
    Post,
    PostStatus,
    ReportReason,
    ReportStatus,
    ReviewDecision,
    ReviewSource,
    ReviewStage,
    ReviewStatus,
    ReviewTask,
    TargetType,
    User,
)
from domain.notifications import notify
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
    source: ReviewSource = ReviewSource.WORD,
) -> ReviewTask:
    """Open a review task for the target, or add the reasons (and reports) to its open one
    (which keeps its source and its place in the queue). (`WHERE status = 'OPEN'` names the
    partial unique index of migration 0004: PostgreSQL infers it from a constant only, so that
    one literal stays.)"""
    rows = await sql.fetch(
        """
        INSERT INTO review_tasks (target_type, target_id, stage, status, reasons, report_count,
            appeal, source, created_at, updated_at, stage_entered_at)
        VALUES ($1, $2, $3, $7, $4::jsonb, $5, $6, $8, now(), now(), now())
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
        source.value,
        conn=conn,
    )
    return await ReviewTask.filter(id=rows[0]["id"]).using_db(conn).get()


# Open tasks with the member each is about: the author of the post, comment or answer, or
# the reported member.
TASKS_ABOUT = """
    SELECT t.id, COALESCE(p.author_id, c.author_id, a.author_id,
        CASE WHEN t.target_type = 'USER' THEN t.target_id END) AS about
    FROM review_tasks t
    LEFT JOIN posts p ON t.target_type = 'POST' AND p.id = t.target_id
    LEFT JOIN comments c ON t.target_type = 'COMMENT' AND c.id = t.target_id
    LEFT JOIN answers a ON t.target_type = 'ANSWER' AND a.id = t.target_id
"""


async def check_may_decide(actor: User, task: ReviewTask, conn: BaseDBAsyncClient) -> None:
    """The stage's role, never one's own content, and a second reviewer who was not the
    first (FORBIDDEN otherwise)."""
    final_stage = task.stage == ReviewStage.FINAL
    if not access.can_review(actor, final_stage=final_stage):
        raise Forbidden()
    [row] = await sql.fetch(f"{TASKS_ABOUT} WHERE t.id = $1", task.id, conn=conn)
    if not access.can_decide_review(actor, final_stage=final_stage, about_user_id=row["about"]):
        raise Forbidden("review_own")
    if task.stage == ReviewStage.SECOND and task.first_reviewer_id == actor.id:  # type: ignore[attr-defined]
        raise Forbidden("same_reviewer")


def claim_holder(task: ReviewTask, now: datetime) -> int | None:
    """The reviewer whose claim on the task holds now, None when nobody's does."""
    holder: int | None = task.claimed_by_id  # type: ignore[attr-defined]
    if holder is None or task.claim_expires_at is None or task.claim_expires_at <= now:
        return None
    return holder


async def check_not_claimed_by_other(
    actor: User, task: ReviewTask, now: datetime, conn: BaseDBAsyncClient
) -> None:
    """CONFLICT naming the holder while another reviewer's claim on the task holds."""
    holder = claim_holder(task, now)
    if holder is not None and holder != actor.id:
        nickname = await User.filter(id=holder).using_db(conn).values_list("nickname", flat=True)
        raise Conflict("task_claimed", field="taskId", holder=nickname[0] if nickname else "?")


def _check_violation(decision: Decision, violation: ReportReason | None) -> None:
    if violation is not None and decision == Decision.APPROVE:
        raise BadInput("approve_with_violation", field="violation")


async def decide(
    actor: User,
    task_id: int,
    decision: Decision,
    note: str = "",
    *,
    rules: CommunityRules,
    violation: ReportReason | None = None,
) -> ReviewTask:
    """Apply a reviewer's decision at the task's stage, and keep it in the task's history."""
    _check_violation(decision, violation)
    note = note[:500]
    async with in_transaction() as conn:
        # The content before its task (content_status's lock order): what the task is about
        # never changes, so it is read before either is locked.
        about = (
            await ReviewTask.filter(id=task_id)
            .using_db(conn)
            .values_list("target_type", "target_id")
        )
        if about:
            await lock_content([(TargetType(about[0][0]), about[0][1])], conn)
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
        await check_may_decide(actor, task, conn)
        now = datetime.now(UTC)
        await check_not_claimed_by_other(actor, task, now, conn)
        stage, entered_at = ReviewStage(task.stage), task.stage_entered_at
        target = TargetType(task.target_type)
        if decision == Decision.APPROVE:
            old = await set_status(target, task.target_id, PostStatus.PUBLISHED, conn, locked=True)
            if old not in (PUBLISHED, DELETED):
                await rewards.content_published(target, task.target_id, conn, rules=rules)
            await _close(task, ReviewStatus.APPROVED, conn)
            await _tell_author(target, task.target_id, NotificationKind.REVIEW_APPROVED, conn)
        elif task.stage == ReviewStage.FIRST:
            task.stage, task.stage_entered_at = ReviewStage.SECOND, now
            task.first_reviewer_id = actor.id
        elif decision == Decision.REJECT:
            await set_status(target, task.target_id, PostStatus.REJECTED, conn, locked=True)
            await _close(task, ReviewStatus.REJECTED, conn)
            await _tell_author(target, task.target_id, NotificationKind.REVIEW_REJECTED, conn)
        elif task.stage == ReviewStage.SECOND:
            task.stage, task.stage_entered_at = ReviewStage.FINAL, now
        else:
            raise BadInput("final_no_escalate", field="decision")
        task.claimed_by_id, task.claim_expires_at = None, None  # deciding ends the claim
        await task.save(using_db=conn)
        await ReviewDecision.create(
            task_id=task.id,
            stage=stage,
            decision=decision.value,
            violation=violation,
            note=note,
            actor=actor,
            stage_entered_at=entered_at,
            using_db=conn,
        )
        await modlog.record(
            actor, f"REVIEW_{decision.value}", target.value, task.target_id, note, conn=conn
        )
    return task


DECIDE_MANY_MAX = 50


@dataclass(frozen=True)
class Outcome:
    """One task's result in a bulk decision: the task as decided, or the error refusing it."""

    task_id: int | None
    task: ReviewTask | None = None
    error: QuanziError | None = None


async def decide_many(
    actor: User,
    task_ids: Sequence[int | None],
    decision: Decision,
    note: str = "",
    *,
    rules: CommunityRules,
    violation: ReportReason | None = None,
) -> list[Outcome]:
    """The same decision on several tasks (None: an ID that could not be read), each on its
    own under every rule of `decide` (stage roles, the second reviewer, claims): one refusal
    does not stop the others. One outcome per ID given, in order."""
    if not access.is_staff(actor):
        raise Forbidden()
    if not 1 <= len(task_ids) <= DECIDE_MANY_MAX:
        raise BadInput("bad_input", field="taskIds", max=DECIDE_MANY_MAX)
    _check_violation(decision, violation)
    done: dict[int, Outcome] = {}
    outcomes = []
    for task_id in task_ids:
        if task_id is None:
            outcomes.append(Outcome(None, error=BadInput("bad_id", field="taskIds")))
            continue
        if task_id not in done:
            try:
                task = await decide(
                    actor, task_id, decision, note, rules=rules, violation=violation
                )
            except QuanziError as exc:
                done[task_id] = Outcome(task_id, error=exc)
            except sql.RolledBack:  # this task's decision only: the others' stand
                done[task_id] = Outcome(task_id, error=TryAgain())
            else:
                done[task_id] = Outcome(task_id, task=task)
        outcomes.append(done[task_id])
    return outcomes


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
            source=ReviewSource.APPEAL,
        )
