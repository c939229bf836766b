"""The moderation log: every action of a moderator, operator or admin, append-only."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.models import ModerationAction, User


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
