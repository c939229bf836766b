"""The moderation log: every action of a moderator, operator or admin, append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from domain import access
from domain.errors import Forbidden
from domain.models import ModerationAction, User
from domain.pagination import Counted, counted_page


async def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    note: str = "",
    conn: BaseDBAsyncClient | None = None,
) -> ModerationAction:
    return await ModerationAction.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        note=note[:500],
        using_db=conn,
    )


@dataclass(frozen=True)
class LogFilter:
    """Narrows the log; an unset (or empty) criterion narrows nothing."""

    actor_id: int | None = None
    actions: tuple[str, ...] = ()
    target_type: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


async def log_page(
    viewer: User,
    log_filter: LogFilter | None = None,
    *,
    first: int | None,
    after: str | None,
    cap: int,
) -> Counted[ModerationAction]:
    """The log, newest first (operators)."""
    if not access.can_read_moderation_log(viewer):
        raise Forbidden()
    f = log_filter or LogFilter()
    entries = ModerationAction.all()
    if f.actor_id is not None:
        entries = entries.filter(actor_id=f.actor_id)
    if f.actions:
        entries = entries.filter(action__in=list(f.actions))
    if f.target_type:
        entries = entries.filter(target_type=f.target_type)
    if f.since is not None:
        entries = entries.filter(created_at__gte=f.since)
    if f.until is not None:
        entries = entries.filter(created_at__lt=f.until)
    return await counted_page(
        entries, first=first, after=after, order=("-created_at", "-id"), cap=cap
    )
