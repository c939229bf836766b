"""Circles (圈子): created by operators, joined openly or by approval, run by circle admins."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog
from domain.errors import BadInput, Conflict, Forbidden, NotFound
from domain.models import (
    Circle,
    CircleMember,
    CircleRole,
    JoinPolicy,
    MembershipStatus,
    User,
)

CIRCLE_NAME_MAX = 30
CIRCLE_DESCRIPTION_MAX = 200


@dataclass(frozen=True)
class JoinResult:
    circle: Circle
    pending: bool


async def get_circle(circle_id: int, *, field: str = "circleId") -> Circle:
    circle = await Circle.get_or_none(id=circle_id)
    if circle is None:
        raise NotFound("circle_not_found", field=field)
    return circle


async def create_circle(
    creator: User, name: str, description: str = "", join_policy: JoinPolicy = JoinPolicy.OPEN
) -> Circle:
    """Operators open a circle; its creator becomes its first admin and member."""
    if not access.can_create_circle(creator):
        raise Forbidden()
    name = " ".join(name.split())
    description = description.strip()
    if not 1 <= len(name) <= CIRCLE_NAME_MAX:
        raise BadInput("circle_name", field="name", max=CIRCLE_NAME_MAX)
    if len(description) > CIRCLE_DESCRIPTION_MAX:
        raise BadInput("bio_length", field="description", max=CIRCLE_DESCRIPTION_MAX)
    try:
        async with in_transaction() as conn:
            circle = await Circle.create(
                name=name,
                description=description,
                join_policy=join_policy,
                creator=creator,
                member_count=1,
                using_db=conn,
            )
            await CircleMember.create(
                circle=circle, user=creator, role=CircleRole.ADMIN, using_db=conn
            )
            await modlog.record(creator, "CREATE_CIRCLE", "CIRCLE", circle.id, name, conn=conn)
    except IntegrityError:
        raise Conflict("circle_exists", field="name") from None
    return circle


async def join_circle(user: User, circle_id: int) -> JoinResult:
    """OPEN circles take the member at once; APPROVAL circles file a pending request.
    Joining again changes nothing."""
    async with in_transaction() as conn:
        circle = await _lock_circle(circle_id, conn)
        status = (
            MembershipStatus.ACTIVE
            if circle.join_policy == JoinPolicy.OPEN
            else MembershipStatus.PENDING
        )
        row = {
            "circle_id": circle_id,
            "user_id": user.id,
            "role": CircleRole.MEMBER,
            "status": status,
        }
        if await sql.insert_unique("circle_members", row, conn=conn):
            if status == MembershipStatus.ACTIVE:
                await sql.bump("circles", "member_count", circle_id, +1, conn=conn)
            pending = status == MembershipStatus.PENDING
        else:
            existing = (
                await CircleMember.filter(circle_id=circle_id, user_id=user.id)
                .using_db(conn)
                .first()
            )
            pending = existing is not None and existing.status == MembershipStatus.PENDING
    return JoinResult(await Circle.get(id=circle_id), pending)


async def leave_circle(user: User, circle_id: int) -> JoinResult:
    """Leave a circle (or withdraw a pending request); leaving twice changes nothing."""
    async with in_transaction() as conn:
        await _lock_circle(circle_id, conn)
        gone = await sql.fetch(
            "DELETE FROM circle_members WHERE circle_id = $1 AND user_id = $2 RETURNING status",
            circle_id,
            user.id,
            conn=conn,
        )
        if gone and gone[0]["status"] == MembershipStatus.ACTIVE:
            await sql.bump("circles", "member_count", circle_id, -1, conn=conn)
    return JoinResult(await Circle.get(id=circle_id), False)


async def approve_member(approver: User, circle_id: int, user_id: int) -> Circle:
    """A circle admin (or an operator) lets a pending member in."""
    async with in_transaction() as conn:
        await _lock_circle(circle_id, conn)
        await check_can_admin(approver, circle_id, conn)
        approved = await sql.execute(
            "UPDATE circle_members SET status = $3 "
            "WHERE circle_id = $1 AND user_id = $2 AND status = $4",
            circle_id,
            user_id,
            MembershipStatus.ACTIVE.value,
            MembershipStatus.PENDING.value,
            conn=conn,
        )
        if not approved:
            raise NotFound("no_pending_request", field="userId")
        await sql.bump("circles", "member_count", circle_id, +1, conn=conn)
        await modlog.record(approver, "APPROVE_MEMBER", "USER", user_id, "", conn=conn)
    return await Circle.get(id=circle_id)


async def is_active_member(
    user_id: int, circle_id: int, conn: BaseDBAsyncClient | None = None
) -> bool:
    query = CircleMember.filter(
        circle_id=circle_id, user_id=user_id, status=MembershipStatus.ACTIVE
    )
    return await (query.using_db(conn) if conn else query).exists()


def closed_circles_sql(reader: str) -> str:
    """The circles closed to the reader whose id is the parameter `reader` (NULL: staff, to
    whom none is; see reader_id): closed_circles in SQL, to put inside a list's query."""
    return (
        f"SELECT c.id FROM circles c WHERE {reader}::bigint IS NOT NULL "
        f"AND c.join_policy = '{JoinPolicy.APPROVAL.value}' AND NOT EXISTS ("
        f"SELECT 1 FROM circle_members m WHERE m.circle_id = c.id AND m.user_id = {reader} "
        f"AND m.status = '{MembershipStatus.ACTIVE.value}')"
    )


def outside_closed_sql(reader: str, column: str = "circle_id") -> str:
    """access.in_readable_circle in SQL, for a list's own statement on `posts` (its
    `column`): in no circle, or in one not closed to the reader whose id is the parameter
    `reader` (see reader_id)."""
    return f"({column} IS NULL OR {column} NOT IN ({closed_circles_sql(reader)}))"


def readable_by_all_sql(post: str) -> str:
    """outside_closed_sql for every reader at once (what one list shown to everyone may
    count), of the posts row `post`: as for a reader signed out (reader_id 0), to whom every
    circle by approval is closed."""
    return outside_closed_sql("0", f"{post}.circle_id")


def reader_id(viewer: User | None) -> int | None:
    """The parameter of closed_circles_sql: None for staff, 0 for an anonymous reader."""
    if access.can_read_circle(viewer, by_approval=True, is_member=False):
        return None
    return viewer.id if viewer is not None else 0


async def closed_circles(viewer: User | None) -> frozenset[int]:
    """The circles whose posts the viewer may not read (access.can_read_circle): APPROVAL
    circles they are no active member of. One query, asked once per request or list."""
    reader = reader_id(viewer)
    if reader is None:
        return frozenset()
    rows = await sql.fetch(closed_circles_sql("$1"), reader)
    return frozenset(row["id"] for row in rows)


def outside(closed: Collection[int], field: str = "circle_id") -> Q:
    """access.in_readable_circle in SQL (written so that posts in no circle stay)."""
    if not closed:
        return Q()
    nulls: dict[str, Any] = {f"{field}__isnull": True}
    inside: dict[str, Any] = {f"{field}__in": list(closed)}
    return Q(**nulls) | ~Q(**inside)


def is_admin_membership(membership: tuple[str, str] | None) -> bool:
    """Whether a (role, status) membership (domain.reads.memberships; None: not a member) is
    an active admin's: what is_circle_admin asks the database."""
    return membership == (CircleRole.ADMIN.value, MembershipStatus.ACTIVE.value)


async def is_circle_admin(
    user_id: int, circle_id: int, conn: BaseDBAsyncClient | None = None
) -> bool:
    """An active admin of this circle (the membership access.can_moderate_circle needs)."""
    query = CircleMember.filter(
        circle_id=circle_id, user_id=user_id, role=CircleRole.ADMIN, status=MembershipStatus.ACTIVE
    )
    return await (query.using_db(conn) if conn else query).exists()


async def can_admin(user: User, circle_id: int, conn: BaseDBAsyncClient | None = None) -> bool:
    """access.can_moderate_circle, loading the membership only when the role does not decide."""
    if access.can_moderate_circle(user, is_circle_admin=False):
        return True
    return access.can_moderate_circle(user, await is_circle_admin(user.id, circle_id, conn))


async def check_can_admin(
    user: User, circle_id: int, conn: BaseDBAsyncClient | None = None
) -> None:
    if not await can_admin(user, circle_id, conn):
        raise Forbidden("not_circle_admin")


async def pending_members(circle_id: int, limit: int) -> list[User]:
    rows = (
        await CircleMember.filter(circle_id=circle_id, status=MembershipStatus.PENDING)
        .order_by("created_at", "id")
        .limit(limit)
        .select_related("user")
    )
    return [row.user for row in rows]


async def _lock_circle(circle_id: int, conn: BaseDBAsyncClient) -> Circle:
    circle = await Circle.filter(id=circle_id).using_db(conn).select_for_update(no_key=True).first()
    if circle is None:
        raise NotFound("circle_not_found", field="circleId")
    return circle


async def reject_member(rejecter: User, circle_id: int, user_id: int) -> Circle:
    """A circle admin (or an operator) turns a pending request down; the member may ask
    again later."""
    async with in_transaction() as conn:
        await _lock_circle(circle_id, conn)
        await check_can_admin(rejecter, circle_id, conn)
        rejected = await sql.execute(
            "DELETE FROM circle_members WHERE circle_id = $1 AND user_id = $2 AND status = $3",
            circle_id,
            user_id,
            MembershipStatus.PENDING.value,
            conn=conn,
        )
        if not rejected:
            raise NotFound("no_pending_request", field="userId")
        await modlog.record(rejecter, "REJECT_MEMBER", "USER", user_id, "", conn=conn)
    return await Circle.get(id=circle_id)


async def set_circle_admin(actor: User, circle_id: int, user_id: int, admin: bool) -> Circle:
    """Operators make an active member of a circle one of its admins, or an ordinary member
    again; a banned member runs no circle. Setting what already holds changes nothing."""
    if not access.can_appoint_circle_admins(actor):
        raise Forbidden()
    async with in_transaction() as conn:
        if admin:
            # The member's row shared, before the circle's (a member's row comes before a
            # circle's: content_status's lock order): a ban under way ends before it is read
            # (and ends this admin too), or waits for this appointment and then ends it.
            await sql.fetch("SELECT 1 FROM users WHERE id = $1 FOR SHARE", user_id, conn=conn)
        await _lock_circle(circle_id, conn)
        membership = (
            await CircleMember.filter(
                circle_id=circle_id, user_id=user_id, status=MembershipStatus.ACTIVE
            )
            .using_db(conn)
            .first()
        )
        if membership is None:
            raise NotFound("not_an_active_member", field="userId")
        if admin and await is_banned(user_id, conn):
            raise Conflict("member_banned", field="userId")
        role = CircleRole.ADMIN if admin else CircleRole.MEMBER
        if membership.role != role:
            membership.role = role
            await membership.save(using_db=conn, update_fields=["role"])
            action = "SET_CIRCLE_ADMIN" if admin else "UNSET_CIRCLE_ADMIN"
            await modlog.record(actor, action, "USER", user_id, str(circle_id), conn=conn)
    return await Circle.get(id=circle_id)


async def is_banned(user_id: int, conn: BaseDBAsyncClient | None = None) -> bool:
    rows = await sql.fetch(
        "SELECT 1 FROM users WHERE id = $1 AND banned_until > now()", user_id, conn=conn
    )
    return bool(rows)
