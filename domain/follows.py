"""Members following members: idempotent, never yourself, counted on both sides."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from adapters import sql
from domain.errors import BadInput, NotFound
from domain.models import NotificationKind, User
from domain.notifications import notify


async def follow_user(follower: User, followee_id: int) -> User:
    if followee_id == follower.id:
        raise BadInput("follow_self", field="userId")
    async with in_transaction() as conn:
        if not await User.filter(id=followee_id).using_db(conn).exists():
            raise NotFound("user_not_found", field="userId")
        row = {"follower_id": follower.id, "followee_id": followee_id}
        if await sql.insert_unique("user_follows", row, conn=conn):
            await _count(follower.id, followee_id, +1, conn)
            await notify(followee_id, NotificationKind.FOLLOW, conn, actor_id=follower.id)
    return await User.get(id=followee_id)


async def unfollow_user(follower: User, followee_id: int) -> User:
    async with in_transaction() as conn:
        if not await User.filter(id=followee_id).using_db(conn).exists():
            raise NotFound("user_not_found", field="userId")
        row = {"follower_id": follower.id, "followee_id": followee_id}
        if await sql.delete_where("user_follows", row, conn=conn):
            await _count(follower.id, followee_id, -1, conn)
    return await User.get(id=followee_id)


async def _count(follower_id: int, followee_id: int, delta: int, conn: object) -> None:
    # Rows in id order: two members following each other at once lock them in one order.
    for user_id in sorted((follower_id, followee_id)):
        column = "following_count" if user_id == follower_id else "follower_count"
        await sql.bump("users", column, user_id, delta, conn=conn)  # type: ignore[arg-type]
