"""Reports: one per member per target; three distinct reporters hide the target until review."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.content_status import lock_content, set_status
from domain.errors import BadInput, Conflict, Forbidden, NotFound
from domain.models import (
    Answer,
    Comment,
    Post,
    PostStatus,
    Report,
    ReportReason,
    ReviewSource,
    TargetType,
    User,
)
from domain.review import open_task
from domain.screening import Scene, Screening, screen_texts

HIDE_AT_REPORTS = 3
DETAIL_MAX = 500


async def _author_of(target: TargetType, target_id: int) -> int:
    """The member a target belongs to; NOT_FOUND unless others can see it now."""
    if target is TargetType.USER:
        if await User.filter(id=target_id).exists():
            return target_id
        raise NotFound("user_not_found", field="targetId")
    # What everyone may see (access.can_see_*), in SQL: published, under a published post.
    published = PostStatus.PUBLISHED
    if target is TargetType.POST:
        row = await Post.filter(id=target_id, status=published).values("author_id")
    elif target is TargetType.COMMENT:
        row = await Comment.filter(id=target_id, status=published, post__status=published).values(
            "author_id"
        )
    else:
        row = await Answer.filter(
            id=target_id, status=published, question__status=published
        ).values("author_id")
    if not row:
        raise NotFound(field="targetId")
    return int(row[0]["author_id"])


async def report_content(
    reporter: User,
    target: TargetType,
    target_id: int,
    reason: ReportReason,
    detail: str = "",
    *,
    screener: Screening,
    hide_at: int = HIDE_AT_REPORTS,
) -> Report:
    """A member reports content or a member. The detail is read by reviewers only: words that
    would need review pass, BLOCK words are refused like anywhere else."""
    detail = detail.strip()
    if len(detail) > DETAIL_MAX:
        raise BadInput("bad_input", field="detail")
    if await _author_of(target, target_id) == reporter.id:
        raise Forbidden("report_own")
    if detail:
        await screen_texts(screener, reporter, [("detail", detail)], Scene.COMMENT)
    try:
        async with in_transaction() as conn:
            # The content before its task (content_status's lock order): reports may hide it.
            await lock_content([(target, target_id)], conn)
            report = await Report.create(
                reporter=reporter,
                target_type=target,
                target_id=target_id,
                reason=reason,
                detail=detail,
                using_db=conn,
            )
            task = await open_task(
                target,
                target_id,
                [f"举报：{reason.value}"],
                conn,
                reports=1,
                source=ReviewSource.REPORT,
            )
            report.task_id = task.id
            await report.save(using_db=conn, update_fields=["task_id"])
            if task.report_count >= hide_at and target is not TargetType.USER:
                await set_status(target, target_id, PostStatus.HIDDEN, conn, locked=True)
    except IntegrityError:
        raise Conflict("already_reported", field="targetId") from None
    return report
