"""Claims on review tasks: a reviewer takes a task for a while (a lease, the community rules'
`review_claim_minutes`) so that two reviewers do not work the same one. Others still see it,
but cannot decide it until the claim ends: when its holder decides the task or releases it, or
when the lease runs out."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain import access
from domain.errors import Conflict, Forbidden, NotFound
from domain.models import ReviewStatus, ReviewTask, User
from domain.review import check_may_decide, check_not_claimed_by_other, claim_holder
from domain.rules import CommunityRules


async def _locked_open_task(task_id: int, conn: BaseDBAsyncClient) -> ReviewTask:
    task = await ReviewTask.filter(id=task_id).using_db(conn).select_for_update(no_key=True).first()
    if task is None:
        raise NotFound("task_not_found", field="taskId")
    if task.status != ReviewStatus.OPEN:
        raise Conflict("task_closed", field="taskId")
    return task


async def claim_task(actor: User, task_id: int, *, rules: CommunityRules) -> ReviewTask:
    """Take an open task for the lease, or renew one's own claim. Only a reviewer who may
    decide the task claims it (stage role, not their own content, not the first reviewer
    again); CONFLICT naming the holder while someone else's claim holds."""
    if not access.is_staff(actor):
        raise Forbidden()
    async with in_transaction() as conn:
        task = await _locked_open_task(task_id, conn)
        await check_may_decide(actor, task, conn)
        now = datetime.now(UTC)
        await check_not_claimed_by_other(actor, task, now, conn)
        task.claimed_by_id = actor.id
        task.claim_expires_at = now + rules.review_claim
        await task.save(using_db=conn, update_fields=["claimed_by_id", "claim_expires_at"])
    return task


async def release_task(actor: User, task_id: int) -> ReviewTask:
    """End a claim: its holder's own, or anyone's for an operator (a reviewer who went home).
    Releasing a task nobody holds changes nothing."""
    if not access.is_staff(actor):
        raise Forbidden()
    async with in_transaction() as conn:
        task = (
            await ReviewTask.filter(id=task_id)
            .using_db(conn)
            .select_for_update(no_key=True)
            .first()
        )
        if task is None:
            raise NotFound("task_not_found", field="taskId")
        holder = claim_holder(task, datetime.now(UTC))
        if holder is not None and not access.can_release_review_claim(actor, holder):
            raise Forbidden("claim_not_yours")
        if task.claimed_by_id is not None:  # type: ignore[attr-defined]
            task.claimed_by_id = None
            task.claim_expires_at = None
            await task.save(using_db=conn, update_fields=["claimed_by_id", "claim_expires_at"])
    return task
