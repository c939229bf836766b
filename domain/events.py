"""Events: sign-up that is never oversold, and offline check-in with a rotating code."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from adapters import sql
from adapters.redis import Store
from domain import access, badges, modlog, resubmits
from domain.circles import is_active_member, is_admin_membership, is_circle_admin
from domain.errors import BadInput, Conflict, ContentRejected, Forbidden, NotFound, RateLimited
from domain.models import (
    Circle,
    Event,
    EventKind,
    EventSignup,
    NotificationKind,
    PointsReason,
    User,
)
from domain.notifications import notify
from domain.pagination import Page, keyset_page
from domain.points import award
from domain.publishing import Screening, screen_texts
from domain.rules import CommunityRules
from domain.screening import Scene

CODE_PERIOD = 300  # seconds a check-in code lasts on the screen
CODE_DIGITS = 6
CHECKIN_OPENS_BEFORE = timedelta(minutes=30)
REWARD_MAX = 1000
# A million codes, two valid at a time: ten wrong ones per member and event, then a pause
# until the window that started with the first wrong one ends, make guessing hopeless.
WRONG_CODES_MAX = 10
WRONG_CODES_WINDOW = 900  # seconds


class EventState(StrEnum):
    UPCOMING = "UPCOMING"
    ONGOING = "ONGOING"
    ENDED = "ENDED"
    CANCELLED = "CANCELLED"  # whatever the clock says (event_changes.cancel_event)


def state_of(event: Event, now: datetime | None = None) -> EventState:
    if event.cancelled_at is not None:
        return EventState.CANCELLED
    now = now or datetime.now(UTC)
    if now < event.starts_at:
        return EventState.UPCOMING
    if now < event.ends_at:
        return EventState.ONGOING
    return EventState.ENDED


@dataclass(frozen=True)
class EventDraft:
    title: str
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    signup_deadline: datetime | None = None
    description: str = ""
    location: str = ""
    capacity: int | None = None
    points_reward: int = 0
    circle_id: int | None = None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def create_event(
    actor: User, draft: EventDraft, screener: Screening, *, rules: CommunityRules
) -> Event:
    """Operators create events; circle admins create their circle's, with a reward of at most
    the rules' circle-event ceiling (more needs an operator). Its texts are screened like any
    member's; an event is public at once, so text that would need review is refused."""
    if draft.circle_id is not None and not await Circle.exists(id=draft.circle_id):
        raise NotFound("circle_not_found", field="circleId")
    if not await _may_run(actor, draft.circle_id):
        raise Forbidden("not_circle_admin") if draft.circle_id is not None else Forbidden()
    title = " ".join(draft.title.split())
    if not 1 <= len(title) <= 60:
        raise BadInput("event_title", field="title")
    description, location = draft.description.strip()[:5000], draft.location.strip()[:200]
    texts = [("title", title), ("description", description), ("location", location)]
    if (await screen_texts(screener, actor, texts, Scene.FORUM)).needs_review:
        raise ContentRejected(field="title")
    starts, ends = _utc(draft.starts_at), _utc(draft.ends_at)
    deadline = _utc(draft.signup_deadline) if draft.signup_deadline else starts
    if not (starts < ends and deadline <= ends and ends > datetime.now(UTC)):
        raise BadInput("event_times", field="endsAt")
    if draft.capacity is not None and not 1 <= draft.capacity <= 100_000:
        raise BadInput("event_capacity", field="capacity")
    reward_max = REWARD_MAX if access.is_operator(actor) else rules.circle_event_reward_max
    if not 0 <= draft.points_reward <= reward_max:
        raise BadInput("event_reward", field="pointsReward", max=reward_max)
    async with in_transaction() as conn:
        await resubmits.hold_author(screener, actor.id, conn)
        sent = await resubmits.created(
            "events",
            conn,
            screener=screener,
            created_by_id=actor.id,
            title=title,
            starts_at=starts,
            circle_id=draft.circle_id,
        )
        if sent is not None:  # clicked twice: the first is the answer
            return await Event.get(id=sent, using_db=conn)
        event = await Event.create(
            title=title,
            description=description,
            kind=draft.kind,
            location=location,
            starts_at=starts,
            ends_at=ends,
            signup_deadline=deadline,
            capacity=draft.capacity,
            points_reward=draft.points_reward,
            circle_id=draft.circle_id,
            created_by=actor,
            checkin_secret=secrets.token_hex(32),
            using_db=conn,
        )
        await modlog.record(actor, "CREATE_EVENT", "EVENT", event.id, title, conn=conn)
    return event


async def get_event(event_id: int, *, field: str = "eventId") -> Event:
    event = await Event.get_or_none(id=event_id)
    if event is None:
        raise NotFound("event_not_found", field=field)
    return event


async def list_events(
    state: EventState | None, *, first: int | None, after: str | None, cap: int
) -> Page[Event]:
    """Events in a state; a cancelled one only under CANCELLED (most recently called off
    first) and in the unfiltered list."""
    now = datetime.now(UTC)
    held = Event.filter(cancelled_at__isnull=True)
    if state is EventState.UPCOMING:
        query, order = held.filter(starts_at__gt=now), ("starts_at", "id")
    elif state is EventState.ONGOING:
        query, order = held.filter(starts_at__lte=now, ends_at__gt=now), ("ends_at", "id")
    elif state is EventState.ENDED:
        query, order = held.filter(ends_at__lte=now), ("-ends_at", "-id")
    elif state is EventState.CANCELLED:
        query, order = Event.filter(cancelled_at__isnull=False), ("-cancelled_at", "-id")
    else:
        query, order = Event.all(), ("-starts_at", "-id")
    return await keyset_page(query, first=first, after=after, order=order, cap=cap)


async def sign_up(user: User, event_id: int) -> Event:
    """Take a seat; never more than the capacity, whatever the crowd. Twice changes nothing."""
    async with in_transaction() as conn:
        event = await Event.filter(id=event_id).using_db(conn).first()
        if event is None:
            raise NotFound("event_not_found", field="eventId")
        now = datetime.now(UTC)
        if event.cancelled_at is not None:
            raise Conflict("event_cancelled", field="eventId")
        if now >= event.signup_deadline or now >= event.ends_at:
            raise Conflict("signup_closed", field="eventId")
        circle_id = event.circle_id  # type: ignore[attr-defined]
        member = circle_id is not None and await is_active_member(user.id, circle_id, conn)
        if not access.can_sign_up_for_event(user, circle_id, member):
            raise Forbidden("event_members_only", field="eventId")
        row = {"event_id": event_id, "user_id": user.id}
        if not await sql.insert_unique("event_signups", row, conn=conn):
            return event
        # The seat and the counter in one conditional update: it is the row lock on the
        # event that keeps a crowd from overselling it (or signing up as it is called off).
        # The deadline again, as the event stands now: an organiser may have moved it.
        taken = await sql.fetch(
            "UPDATE events SET signup_count = signup_count + 1 WHERE id = $1 "
            "AND cancelled_at IS NULL AND (capacity IS NULL OR signup_count < capacity) "
            "AND $2 < signup_deadline AND $2 < ends_at RETURNING signup_count",
            event_id,
            now,
            conn=conn,
        )
        if not taken:
            current = await Event.filter(id=event_id).using_db(conn).get()
            if current.cancelled_at is not None:
                raise Conflict("event_cancelled", field="eventId")
            if now >= current.signup_deadline or now >= current.ends_at:
                raise Conflict("signup_closed", field="eventId")
            raise Conflict("event_full", field="eventId")
    return await Event.get(id=event_id)


async def cancel_signup(user: User, event_id: int) -> Event:
    async with in_transaction() as conn:
        event = await Event.filter(id=event_id).using_db(conn).first()
        if event is None:
            raise NotFound("event_not_found", field="eventId")
        rows = await sql.fetch(
            "SELECT checked_in_at FROM event_signups WHERE event_id = $1 AND user_id = $2 "
            "FOR NO KEY UPDATE",
            event_id,
            user.id,
            conn=conn,
        )
        if rows:
            if rows[0]["checked_in_at"] is not None:
                raise Conflict("cancel_after_checkin", field="eventId")
            await sql.delete_where(
                "event_signups", {"event_id": event_id, "user_id": user.id}, conn=conn
            )
            await sql.bump("events", "signup_count", event_id, -1, conn=conn)
    return await Event.get(id=event_id)


def checkin_code(event: Event, now: datetime | None = None, *, step: int = 0) -> str:
    """The code on the screen now (step -1: the one just before)."""
    window = int((now or datetime.now(UTC)).timestamp()) // CODE_PERIOD + step
    digest = hmac.new(event.checkin_secret.encode(), str(window).encode(), hashlib.sha256)
    return str(int.from_bytes(digest.digest()[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


async def issue_checkin_code(actor: User, event_id: int) -> str:
    event = await get_event(event_id)
    await check_may_run(actor, event)
    return checkin_code(event)


def circle_to_check(actor: User, circle_id: int | None) -> int | None:
    """The circle whose membership decides whether the actor runs an event of `circle_id`:
    none for a site event, nor for an operator."""
    return None if circle_id is None or access.is_operator(actor) else circle_id


async def _may_run(actor: User, circle_id: int | None) -> bool:
    """access.can_run_event, with the circle membership it needs loaded only when it counts."""
    circle = circle_to_check(actor, circle_id)
    admin = circle is not None and await is_circle_admin(actor.id, circle)
    return access.can_run_event(actor, circle_id, is_circle_admin=admin)


async def _organises(user: User, event: Event) -> bool:
    """Its creator, or an admin of its circle: they hold the code, so the reward is not theirs."""
    if user.id == event.created_by_id:  # type: ignore[attr-defined]
        return True
    circle_id = event.circle_id  # type: ignore[attr-defined]
    return circle_id is not None and await is_circle_admin(user.id, circle_id)


async def check_may_run(actor: User, event: Event) -> None:
    if not await _may_run(actor, event.circle_id):  # type: ignore[attr-defined]
        raise Forbidden()


async def check_in(
    user: User,
    event_id: int,
    code: str,
    now: datetime | None = None,
    *,
    rules: CommunityRules,
    store: Store,
) -> Event:
    """A signed-up member checks in with the code on the screen, during the event, once;
    the event's reward is paid with it. Too many wrong codes lock the member out of the
    event's check-in for a while (RATE_LIMITED with the seconds left)."""
    now = now or datetime.now(UTC)
    event = await get_event(event_id)
    if event.cancelled_at is not None:  # nothing is paid for a cancelled event
        raise Conflict("event_cancelled", field="eventId")
    if not event.starts_at - CHECKIN_OPENS_BEFORE <= now <= event.ends_at:
        raise Conflict("checkin_window", field="eventId")
    await _check_code(store, event, user.id, code.strip(), now)
    async with in_transaction() as conn:
        rows = await sql.fetch(
            "UPDATE event_signups SET checked_in_at = $3 "
            "WHERE event_id = $1 AND user_id = $2 AND checked_in_at IS NULL RETURNING id",
            event_id,
            user.id,
            now,
            conn=conn,
        )
        if not rows:
            signed = (
                await EventSignup.filter(event_id=event_id, user_id=user.id).using_db(conn).exists()
            )
            if signed:
                raise Conflict("already_checked_in_event", field="eventId")
            raise Forbidden("not_signed_up")
        # Conditional, on the event's row: a check-in racing its cancellation (or a change of
        # its times) waits for it and is then refused, paying nothing; the reward paid is
        # the event's as it stands now (it may change until the first check-in).
        counted = await sql.fetch(
            "UPDATE events SET checkin_count = checkin_count + 1 WHERE id = $1 "
            "AND cancelled_at IS NULL AND starts_at - $2::interval <= $3 AND $3 <= ends_at "
            "RETURNING points_reward",
            event_id,
            CHECKIN_OPENS_BEFORE,
            now,
            conn=conn,
        )
        if not counted:
            current = await Event.filter(id=event_id).using_db(conn).get()
            reason = "event_cancelled" if current.cancelled_at is not None else "checkin_window"
            raise Conflict(reason, field="eventId")
        reward = counted[0]["points_reward"]
        if reward and not await _organises(user, event):
            await award(
                user.id,
                reward,
                PointsReason.EVENT_CHECKIN,
                f"event:{event_id}:{user.id}",
                conn,
                rules=rules,
                target=("EVENT", event_id),
            )
        await badges.grant(user.id, "EVENT_ATTENDEE", conn)
    return await Event.get(id=event_id)


# Count a wrong code; the first one starts the window (atomically: no key without an end).
_WRONG = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


async def _check_code(store: Store, event: Event, user_id: int, code: str, now: datetime) -> None:
    key = store.key("checkin", "wrong", event.id, user_id)
    wrong = await store.redis.get(key)
    if wrong is not None and int(wrong) >= WRONG_CODES_MAX:
        raise RateLimited(retry_after=max(1, int(await store.redis.ttl(key))))
    # The code on the screen now, or the one it just replaced (someone was mid-typing).
    if not any(hmac.compare_digest(code, checkin_code(event, now, step=step)) for step in (0, -1)):
        await store.redis.register_script(_WRONG)(keys=[key], args=[WRONG_CODES_WINDOW])
        raise BadInput("checkin_code", field="code")


REMIND_BEFORE = timedelta(hours=1)


async def send_reminders(now: datetime | None = None) -> int:
    """Remind the members signed up for events starting within the hour, once per event.
    Returns how many members were reminded."""
    now = now or datetime.now(UTC)
    reminded = 0
    async with in_transaction() as conn:
        due = await sql.fetch(
            "SELECT id, title FROM events WHERE reminded_at IS NULL AND cancelled_at IS NULL "
            "AND starts_at > $1 AND starts_at <= $2 FOR UPDATE SKIP LOCKED",
            now,
            now + REMIND_BEFORE,
            conn=conn,
        )
        for event in due:
            members = await sql.fetch(
                "SELECT user_id FROM event_signups WHERE event_id = $1", event["id"], conn=conn
            )
            for member in members:
                await notify(
                    member["user_id"],
                    NotificationKind.EVENT_REMINDER,
                    conn,
                    subject_id=event["id"],
                    snippet=event["title"],
                )
            reminded += len(members)
            await sql.execute(
                "UPDATE events SET reminded_at = $2 WHERE id = $1", event["id"], now, conn=conn
            )
    return reminded


@dataclass(frozen=True)
class EventStats:
    signups: int
    check_ins: int
    attendance_rate: float


def figures(signups: int, check_ins: int) -> EventStats:
    """An event's stats from its counters (attendance: check-ins ÷ sign-ups, 0 without any)."""
    rate = check_ins / signups if signups else 0.0
    return EventStats(signups, check_ins, round(rate, 4))


def may_run_with(actor: User, circle_id: int | None, membership: tuple[str, str] | None) -> bool:
    """_may_run with the actor's membership of the event's circle already loaded (a list of
    events: one query for all their circles, api/events.py)."""
    return access.can_run_event(actor, circle_id, is_admin_membership(membership))


async def stats(actor: User, event_id: int) -> EventStats:
    event = await get_event(event_id)
    await check_may_run(actor, event)
    return figures(event.signup_count, event.checkin_count)
