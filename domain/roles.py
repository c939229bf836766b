"""Roles: only admins change them, and the last admin cannot step down. A member demoted
below operator, or banned, runs no circle any more."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import modlog
from domain.errors import Conflict, Forbidden, NotFound
from domain.models import CircleRole, Role, User


async def set_user_role(actor: User, user_id: int, role: Role) -> User:
    if Role(actor.role) is not Role.ADMIN:
        raise Forbidden()
    async with in_transaction() as conn:
        # Lock every admin row: two admins demoting each other at once cannot leave none;
        # the target's with them, in the one id order.
        locked = await sql.fetch(
            "SELECT id, role FROM users WHERE role = $1 OR id = $2 ORDER BY id FOR NO KEY UPDATE",
            Role.ADMIN.value,
            user_id,
            conn=conn,
        )
        admins = [row for row in locked if row["role"] == Role.ADMIN.value]
        target = await User.filter(id=user_id).using_db(conn).first()
        if target is None:
            raise NotFound("user_not_found", field="userId")
        if target.role == Role.ADMIN and role != Role.ADMIN and len(admins) <= 1:
            raise Conflict("last_admin", field="role")
        await User.filter(id=user_id).using_db(conn).update(role=role)
        if not role.at_least(Role(target.role)) and not role.at_least(Role.OPERATOR):
            await end_circle_admin_rights(user_id, conn)
        await modlog.record(actor, "SET_ROLE", "USER", user_id, role.value, conn=conn)
    return await User.get(id=user_id)


async def end_circle_admin_rights(user_id: int, conn: BaseDBAsyncClient) -> None:
    """The member stays in their circles as an ordinary member: circles were given to them as
    staff (operators open circles), and a demoted or banned member keeps no power over one."""
    await sql.execute(
        "UPDATE circle_members SET role = $2 WHERE user_id = $1 AND role = $3",
        user_id,
        CircleRole.MEMBER.value,
        CircleRole.ADMIN.value,
        conn=conn,
    )
