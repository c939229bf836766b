"""Sanctions: MUTE (cannot write until the end time) and BAN (cannot sign in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog, resubmits
from domain.auth import revoke_all_sessions
from domain.errors import BadInput, Forbidden, Muted, NotFound
from domain.models import Role, Sanction, SanctionKind, User
from domain.pagination import Counted, counted_page
from domain.roles import end_circle_admin_rights

HOURS_MAX = 24 * 365 * 10
PERMANENT = timedelta(hours=HOURS_MAX)
_COLUMN = {SanctionKind.MUTE: "muted_until", SanctionKind.BAN: "banned_until"}


def check_can_write(user: User, now: datetime | None = None) -> None:
    """Raise MUTED (with the end time) while the member is muted."""
    now = now or datetime.now(UTC)
    if user.muted_until is not None and user.muted_until > now:
        until = user.muted_until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        raise Muted("muted", until=until)


# How far apart two clicks of one sanction may set its end.
_CLICKS = timedelta(seconds=resubmits.RESUBMIT_SECONDS)


async def sanction_user(
    actor: User, user_id: int, kind: SanctionKind, hours: int | None, reason: str
) -> Sanction:
    """Moderators mute; operators also ban. Nobody sanctions their equals or betters."""
    if not access.has_role(actor, Role.OPERATOR if kind == SanctionKind.BAN else Role.MODERATOR):
        raise Forbidden()  # before any input is looked at; the rank rule follows below
    reason = reason.strip()
    if not 1 <= len(reason) <= 500:
        raise BadInput("bad_input", field="reason")
    if hours is None and kind == SanctionKind.MUTE:
        raise BadInput("sanction_hours", field="hours", max=HOURS_MAX)
    if hours is not None and not 1 <= hours <= HOURS_MAX:
        raise BadInput("sanction_hours", field="hours", max=HOURS_MAX)
    target = await User.get_or_none(id=user_id)
    if target is None:
        raise NotFound("user_not_found", field="userId")
    if not access.can_sanction(actor, target, ban=kind == SanctionKind.BAN):
        raise Forbidden("sanction_rank")
    now = datetime.now(UTC)
    until = now + (timedelta(hours=hours) if hours else PERMANENT)
    async with in_transaction() as conn:
        # The member's row first, as lifting takes it: the same sanction clicked twice finds
        # the first, which is the answer (a second would outlast the first one lifted).
        await sql.lock_rows("users", [user_id], conn)
        sent = await resubmits.created(
            "sanctions",
            conn,
            actor_id=actor.id,
            user_id=user_id,
            kind=kind.value,
            reason=reason,
            lifted_at=None,
        )
        first = await Sanction.get(id=sent, using_db=conn) if sent is not None else None
        if first is not None and abs(first.until - first.created_at - (until - now)) < _CLICKS:
            return first  # of the same length too: a longer one is meant
        sanction = await Sanction.create(
            user=target, kind=kind, until=until, reason=reason, actor=actor, using_db=conn
        )
        column = _COLUMN[kind]
        await sql.execute(
            f"UPDATE users SET {column} = GREATEST(COALESCE({column}, $2), $2) WHERE id = $1",
            user_id,
            until,
            conn=conn,
        )
        await modlog.record(actor, kind.value, "USER", user_id, reason, conn=conn)
        if kind == SanctionKind.BAN:  # lifting the ban does not give the circles back
            await end_circle_admin_rights(user_id, conn)
    if kind == SanctionKind.BAN:
        await revoke_all_sessions(user_id)
    return sanction


async def lift_sanction(actor: User, sanction_id: int) -> None:
    if not Role(actor.role).at_least(Role.MODERATOR):
        raise Forbidden()
    async with in_transaction() as conn:
        # The member's row first: what remains after two lifts at once of their sanctions is
        # recomputed by the second once the first is in, not from before either.
        member = await sql.fetch(
            "SELECT user_id FROM sanctions WHERE id = $1", sanction_id, conn=conn
        )
        await sql.lock_rows("users", [row["user_id"] for row in member], conn)
        sanction = (
            await Sanction.filter(id=sanction_id)
            .using_db(conn)
            .select_for_update(no_key=True)
            .first()
        )
        if sanction is None or sanction.lifted_at is not None:
            raise NotFound("sanction_not_found", field="sanctionId")
        target = await User.filter(id=sanction.user_id).using_db(conn).get()  # type: ignore[attr-defined]
        if not access.can_sanction(actor, target, ban=sanction.kind == SanctionKind.BAN):
            raise Forbidden("sanction_rank")
        sanction.lifted_at = datetime.now(UTC)
        await sanction.save(using_db=conn, update_fields=["lifted_at"])
        column = _COLUMN[SanctionKind(sanction.kind)]
        # What remains is the latest end among the member's other active sanctions of the kind.
        await sql.execute(
            f"UPDATE users SET {column} = (SELECT max(until) FROM sanctions "
            "WHERE user_id = $1 AND kind = $2 AND lifted_at IS NULL AND until > now()) "
            "WHERE id = $1",
            sanction.user_id,  # type: ignore[attr-defined]
            sanction.kind,
            conn=conn,
        )
        await modlog.record(
            actor,
            f"LIFT_{sanction.kind}",
            "USER",
            sanction.user_id,  # type: ignore[attr-defined]
            "",
            conn=conn,
        )


async def list_sanctions(
    actor: User,
    *,
    active: bool | None,
    user_id: int | None,
    first: int | None,
    after: str | None,
    cap: int,
) -> Counted[Sanction]:
    """Sanctions, newest first: in force now (`active`), lifted or expired (not `active`), or
    all; of one member when `user_id` is given."""
    if not access.can_use_console(actor):
        raise Forbidden()
    sanctions = Sanction.all()
    if user_id is not None:
        sanctions = sanctions.filter(user_id=user_id)
    now = datetime.now(UTC)
    if active is True:
        sanctions = sanctions.filter(lifted_at__isnull=True, until__gt=now)
    elif active is False:
        sanctions = sanctions.filter(Q(lifted_at__isnull=False) | Q(until__lte=now))
    return await counted_page(
        sanctions, first=first, after=after, order=("-created_at", "-id"), cap=cap
    )
