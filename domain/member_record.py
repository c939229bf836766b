"""A member as staff look them up: activity, what they wrote, reports against and by them,
rejections, sanctions and the log entries about them; and, for a spam wave, hiding what they
published lately (each item gets a review task, so a mistaken hide is approved back)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog
from domain.calendar import Calendar
from domain.content_status import lock_content, set_status
from domain.errors import BadInput, Forbidden, NotFound
from domain.models import (
    Answer,
    Comment,
    ModerationAction,
    Post,
    PostStatus,
    Report,
    ReviewSource,
    Sanction,
    TargetType,
    User,
)
from domain.review import open_task

RECENT_LOG_MAX = 50
SANCTIONS_MAX = 100
HIDE_MAX = 500  # items one call hides (the newest); call again for more
REASON_MAX = 200

_AUTHORED = ((TargetType.POST, Post), (TargetType.COMMENT, Comment), (TargetType.ANSWER, Answer))


@dataclass(frozen=True)
class MemberRecord:
    user: User
    last_active_at: datetime | None
    post_count: int  # published
    comment_count: int  # published
    reports_against: int  # on the member or on their content
    reports_filed: int
    rejected_count: int  # posts, comments and answers rejected by review
    sanctions: list[Sanction]  # newest first
    recent_log: list[ModerationAction]  # about the member or their content, newest first


def _about(user_id: int) -> Q:
    """Rows (reports, log entries) whose target is the member or something they wrote."""
    about = Q(target_type=TargetType.USER.value, target_id=user_id)
    for target, model in _AUTHORED:
        written = Subquery(model.filter(author_id=user_id).values("id"))
        about |= Q(target_type=target.value, target_id__in=written)
    return about


async def member_record(viewer: User, user_id: int, *, calendar: Calendar) -> MemberRecord:
    if not access.can_use_console(viewer):
        raise Forbidden()
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("user_not_found", field="userId")
    rejected = PostStatus.REJECTED.value
    [counts] = await sql.fetch(
        """
        SELECT
          (SELECT count(*) FROM comments WHERE author_id = $1 AND status = $2) AS comments,
          (SELECT count(*) FROM reports WHERE reporter_id = $1) AS filed,
          (SELECT count(*) FROM posts WHERE author_id = $1 AND status = $3)
            + (SELECT count(*) FROM comments WHERE author_id = $1 AND status = $3)
            + (SELECT count(*) FROM answers WHERE author_id = $1 AND status = $3) AS rejected,
          (SELECT max(day) FROM member_activity WHERE user_id = $1) AS last_day
        """,
        user_id,
        PostStatus.PUBLISHED.value,
        rejected,
    )
    about = _about(user_id)
    reports_against = await Report.filter(about).count()
    log = await ModerationAction.filter(about).order_by("-created_at", "-id").limit(RECENT_LOG_MAX)
    sanctions = (
        await Sanction.filter(user_id=user_id).order_by("-created_at", "-id").limit(SANCTIONS_MAX)
    )
    seen = [user.last_login_at]
    if counts["last_day"] is not None:
        seen.append(calendar.start_of(counts["last_day"]))
    return MemberRecord(
        user=user,
        last_active_at=max((t for t in seen if t is not None), default=None),
        post_count=user.post_count,
        comment_count=int(counts["comments"]),
        reports_against=reports_against,
        reports_filed=int(counts["filed"]),
        rejected_count=int(counts["rejected"]),
        sanctions=list(sanctions),
        recent_log=list(log),
    )


async def hide_member_content(actor: User, user_id: int, since: datetime, reason: str) -> int:
    """Hide what the member published since `since` (posts, comments, answers; the newest
    HIDE_MAX), each with a MANUAL review task at FIRST whose approval brings it back; return
    how many were hidden. The rank rule of muting applies."""
    if not access.can_use_console(actor):
        raise Forbidden()
    reason = reason.strip()
    if not 1 <= len(reason) <= REASON_MAX:
        raise BadInput("bad_input", field="reason")
    target = await User.get_or_none(id=user_id)
    if target is None:
        raise NotFound("user_not_found", field="userId")
    if not access.can_hide_member_content(actor, target):
        raise Forbidden("sanction_rank")
    async with in_transaction() as conn:
        rows = await sql.fetch(
            """
            SELECT * FROM (
              SELECT 'POST' AS kind, id, created_at FROM posts
                WHERE author_id = $1 AND status = $2 AND created_at >= $3
              UNION ALL SELECT 'COMMENT', id, created_at FROM comments
                WHERE author_id = $1 AND status = $2 AND created_at >= $3
              UNION ALL SELECT 'ANSWER', id, created_at FROM answers
                WHERE author_id = $1 AND status = $2 AND created_at >= $3
            ) written ORDER BY created_at DESC, id DESC LIMIT $4
            """,
            user_id,
            PostStatus.PUBLISHED.value,
            since,
            HIDE_MAX,
            conn=conn,
        )
        items = [(TargetType(row["kind"]), row["id"]) for row in rows]
        # Every row the hiding writes, locked in the lock order before the first is written:
        # item by item, the member's row (a post's counter) would be held while the next
        # item's content is waited for, and a like on that item waits for the member's row.
        await lock_content(items, conn, counters=True)
        for kind, item_id in items:
            await set_status(kind, item_id, PostStatus.HIDDEN, conn, locked=True)
            await open_task(kind, item_id, [f"隐藏：{reason}"], conn, source=ReviewSource.MANUAL)
        await modlog.record(
            actor, "HIDE_CONTENT", TargetType.USER.value, user_id, f"{len(rows)}: {reason}", conn
        )
    return len(rows)
