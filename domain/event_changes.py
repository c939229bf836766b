"""Running an event after it was created: changing it, calling it off, and its roster. Who
may: its organisers, as for its check-in code and stats (access.can_run_event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain import access, modlog
from domain.errors import BadInput, Conflict, ContentRejected, NotFound
from domain.events import REWARD_MAX, check_may_run, get_event
from domain.models import Event, EventSignup, NotificationKind, User
from domain.notifications import notify_each
from domain.pagination import Counted, counted_page
from domain.publishing import Screening, screen_texts
from domain.rules import CommunityRules
from domain.screening import Scene

TITLE_MAX, DESCRIPTION_MAX, LOCATION_MAX = 60, 5000, 200
CAPACITY_MAX = 100_000
REASON_MAX = 200


@dataclass(frozen=True)
class EventChanges:
    """What to change; None leaves a field as it is. `remove_capacity` lifts the limit."""

    title: str | None = None
    description: str | None = None
    location: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    signup_deadline: datetime | None = None
    capacity: int | None = None
    remove_capacity: bool = False
    points_reward: int | None = None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _texts(changes: EventChanges) -> list[tuple[str, str]]:
    """The changed texts, tidied and within their lengths."""
    texts = []
    if changes.title is not None:
        title = " ".join(changes.title.split())
        if not 1 <= len(title) <= TITLE_MAX:
            raise BadInput("event_title", field="title")
        texts.append(("title", title))
    for name, value, most in (
        ("description", changes.description, DESCRIPTION_MAX),
        ("location", changes.location, LOCATION_MAX),
    ):
        if value is not None:
            if len(value.strip()) > most:
                raise BadInput("text_too_long", field=name, max=most)
            texts.append((name, value.strip()))
    return texts


def _check_capacity(changes: EventChanges) -> None:
    if changes.remove_capacity and changes.capacity is not None:
        raise BadInput("bad_input", field="removeCapacity")
    if changes.capacity is not None and not 1 <= changes.capacity <= CAPACITY_MAX:
        raise BadInput("event_capacity", field="capacity")


def _apply_times(event: Event, changes: EventChanges, now: datetime) -> bool:
    """Set the changed times when they still make an event (BAD_USER_INPUT otherwise);
    True when the start moved."""
    if changes.starts_at is None and changes.ends_at is None and changes.signup_deadline is None:
        return False
    starts = _utc(changes.starts_at) if changes.starts_at else event.starts_at
    ends = _utc(changes.ends_at) if changes.ends_at else event.ends_at
    deadline = _utc(changes.signup_deadline) if changes.signup_deadline else event.signup_deadline
    if not starts < ends:
        raise BadInput("event_times", field="startsAt" if changes.starts_at else "endsAt")
    if not deadline <= ends:
        raise BadInput("event_times", field="signupDeadline")
    if not ends > now:
        raise BadInput("event_times", field="endsAt")
    moved = starts != event.starts_at
    event.starts_at, event.ends_at, event.signup_deadline = starts, ends, deadline
    return moved


async def update_event(
    actor: User,
    event_id: int,
    changes: EventChanges,
    screener: Screening,
    *,
    rules: CommunityRules,
) -> Event:
    """Change what is given of an event. Its texts are screened as at creation (text that
    would need review is refused: an event is public); the capacity never drops below the
    members signed up; the reward changes only until the first check-in; a moved start is
    reminded of again, and the members signed up are told when its time or place changes.
    A cancelled event changes no more (CONFLICT)."""
    event = await get_event(event_id, field="id")
    await check_may_run(actor, event)
    texts = _texts(changes)
    _check_capacity(changes)
    reward_max = REWARD_MAX if access.is_operator(actor) else rules.circle_event_reward_max
    if changes.points_reward is not None and not 0 <= changes.points_reward <= reward_max:
        raise BadInput("event_reward", field="pointsReward", max=reward_max)
    if texts and (await screen_texts(screener, actor, texts, Scene.FORUM)).needs_review:
        raise ContentRejected(field=texts[0][0])
    async with in_transaction() as conn:
        event = await _locked(event_id, conn)
        if event.cancelled_at is not None:
            raise Conflict("event_cancelled", field="id")
        before = _where_and_when(event)
        for name, value in texts:
            setattr(event, name, value)
        if _apply_times(event, changes, datetime.now(UTC)):
            event.reminded_at = None
        if changes.remove_capacity:
            event.capacity = None
        elif changes.capacity is not None:
            if changes.capacity < event.signup_count:
                count = event.signup_count
                raise BadInput("event_capacity_below_signups", field="capacity", count=count)
            event.capacity = changes.capacity
        if changes.points_reward is not None and changes.points_reward != event.points_reward:
            if event.checkin_count:
                raise Conflict("event_reward_locked", field="pointsReward")
            event.points_reward = changes.points_reward
        await event.save(using_db=conn)
        if _where_and_when(event) != before:
            await _tell_signed_up(event, NotificationKind.EVENT_CHANGED, conn)
        await modlog.record(actor, "UPDATE_EVENT", "EVENT", event_id, event.title, conn=conn)
    return event


def _where_and_when(event: Event) -> tuple[object, ...]:
    """What a member who signed up plans around: when it starts and ends, and where."""
    return event.starts_at, event.ends_at, event.location


async def _tell_signed_up(event: Event, kind: NotificationKind, conn: BaseDBAsyncClient) -> None:
    members = (
        await EventSignup.filter(event_id=event.id).using_db(conn).values_list("user_id", flat=True)
    )
    await notify_each(
        list(members),  # type: ignore[arg-type]
        kind,
        conn,
        subject_id=event.id,
        snippet=event.title,
    )


async def _locked(event_id: int, conn: BaseDBAsyncClient) -> Event:
    event = await Event.filter(id=event_id).using_db(conn).select_for_update(no_key=True).first()
    if event is None:
        raise NotFound("event_not_found", field="id")
    return event


async def cancel_event(actor: User, event_id: int, reason: str, screener: Screening) -> Event:
    """Call an event off: its state is CANCELLED from now on, sign-ups and check-in close
    (nothing more is paid), and every member signed up is told. Cancelling it again changes
    nothing; an event that is over is not cancelled (CONFLICT). The reason is screened: the
    organisers' words go out to members."""
    reason = reason.strip()
    if not 1 <= len(reason) <= REASON_MAX:
        raise BadInput("cancel_reason", field="reason", max=REASON_MAX)
    event = await get_event(event_id, field="id")
    await check_may_run(actor, event)
    if (await screen_texts(screener, actor, [("reason", reason)], Scene.FORUM)).needs_review:
        raise ContentRejected(field="reason")
    async with in_transaction() as conn:
        event = await _locked(event_id, conn)
        if event.cancelled_at is not None:
            return event
        now = datetime.now(UTC)
        if event.ends_at <= now:
            raise Conflict("event_ended", field="id")
        event.cancelled_at, event.cancel_reason = now, reason
        await event.save(using_db=conn, update_fields=["cancelled_at", "cancel_reason"])
        await _tell_signed_up(event, NotificationKind.EVENT_CANCELLED, conn)
        await modlog.record(actor, "CANCEL_EVENT", "EVENT", event_id, reason, conn=conn)
    return event


async def roster(
    actor: User, event_id: int, *, first: int | None, after: str | None, cap: int
) -> Counted[EventSignup]:
    """The members signed up for an event, in the order they signed up, with their
    check-in (its organisers)."""
    event = await get_event(event_id)
    await check_may_run(actor, event)
    return await counted_page(
        EventSignup.filter(event_id=event_id),
        first=first,
        after=after,
        order=("created_at", "id"),
        cap=cap,
    )
