"""Roles: only admins change them, and the last admin cannot step down."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from adapters import sql
from domain import modlog
from domain.errors import Conflict, Forbidden, NotFound
from domain.models import Role, User


async def set_user_role(actor: User, user_id: int, role: Role) -> User:
    if Role(actor.role) is not Role.ADMIN:
        raise Forbidden()
    async with in_transaction() as conn:
        # Lock every admin row: two admins demoting each other at once cannot leave none.
        admins = await sql.fetch(
            "SELECT id FROM users WHERE role = $1 ORDER BY id FOR NO KEY UPDATE",
            Role.ADMIN.value,
            conn=conn,
        )
        target = await User.filter(id=user_id).using_db(conn).first()
        if target is None:
            raise NotFound("user_not_found", field="userId")
        if target.role == Role.ADMIN and role != Role.ADMIN and len(admins) <= 1:
            raise Conflict("last_admin", field="role")
        await User.filter(id=user_id).using_db(conn).update(role=role)
        await modlog.record(actor, "SET_ROLE", "USER", user_id, role.value, conn=conn)
    return await User.get(id=user_id)
