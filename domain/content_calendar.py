"""The content calendar (内容日历): what the operators put out, or will, over a range of time.

Kinds: SCHEDULED_POST (at its publishAt), PUBLISHED_POST (posts by operators and admins, at
the time they went out), PIN (pinnedAt → until; open-ended when pinned for good), FEATURE (the
moment it was featured), EVENT (startsAt → endsAt, cancelled ones included) and COLLECTION
(the moment it was made). An item is in the range [from, to) when it starts in it, or, for
pins and events, when its span overlaps it. Each kind reads its own index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from tortoise.models import Model

from adapters import sql
from domain import access
from domain.errors import BadInput, Forbidden
from domain.models import Collection, Event, Post, PostStatus, Role, User

M = TypeVar("M", bound=Model)
RANGE_MAX = timedelta(days=62)  # a month view with the weeks around it, or two months
PER_KIND_MAX = 500  # items of one kind in one answer (the earliest)
TITLE_MAX = 30
PUBLISHED = PostStatus.PUBLISHED.value
STAFF = (Role.OPERATOR.value, Role.ADMIN.value)


class CalendarKind(StrEnum):
    SCHEDULED_POST = "SCHEDULED_POST"
    PUBLISHED_POST = "PUBLISHED_POST"
    PIN = "PIN"
    FEATURE = "FEATURE"
    EVENT = "EVENT"
    COLLECTION = "COLLECTION"


@dataclass(frozen=True)
class CalendarItem:
    kind: CalendarKind
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    post: Post | None = None
    event: Event | None = None
    collection: Collection | None = None

    @property
    def pin_scope(self) -> str | None:
        return self.post.pin_scope if self.kind is CalendarKind.PIN and self.post else None


def post_title(post: Post) -> str:
    """A post's title, or the start of its body when it has none."""
    text = post.title or " ".join(post.body.split())
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Partial indexes are used for constants only: the statuses and roles are written out.
_SCHEDULED = (
    f"status = '{PostStatus.SCHEDULED.value}' AND publish_at >= $1 AND publish_at < $2",
    "ORDER BY publish_at, id",
)
_BY_STAFF = (
    f"status = '{PUBLISHED}' AND created_at >= $1 AND created_at < $2 AND author_id IN "
    f"(SELECT id FROM users WHERE role IN ('{STAFF[0]}', '{STAFF[1]}'))",
    "ORDER BY created_at, id",
)
_PINS = (
    f"status = '{PUBLISHED}' AND pin_scope IS NOT NULL AND pinned_at < $2 "
    "AND (pinned_until IS NULL OR pinned_until > $1)",
    "ORDER BY pinned_at, id",
)
_FEATURES = (
    f"featured_at >= $1 AND featured_at < $2 AND status = '{PUBLISHED}'",
    "ORDER BY featured_at, id",
)
_EVENTS = ("ends_at > $1 AND starts_at < $2", "ORDER BY starts_at, id")
_COLLECTIONS = ("created_at >= $1 AND created_at < $2", "ORDER BY created_at, id")

_ORDER = list(CalendarKind)


async def content_calendar(actor: User, start: datetime, end: datetime) -> list[CalendarItem]:
    """Every item in [start, end), by start time (operators; at most 62 days)."""
    if not access.can_plan_content(actor):
        raise Forbidden()
    start, end = _utc(start), _utc(end)
    if not start < end or end - start > RANGE_MAX:
        raise BadInput("calendar_range", field="to", max=RANGE_MAX.days)

    async def rows(model: type[M], query: tuple[str, str]) -> list[M]:
        where, order = query
        tail = f"{order} LIMIT {PER_KIND_MAX}"
        return await sql.select_models(model, where, start, end, tail=tail)

    async def posts(query: tuple[str, str]) -> list[Post]:
        return await rows(Post, query)

    items = [
        CalendarItem(CalendarKind.SCHEDULED_POST, post_title(p), p.publish_at, post=p)  # type: ignore[arg-type]
        for p in await posts(_SCHEDULED)
    ]
    items += [
        CalendarItem(CalendarKind.PUBLISHED_POST, post_title(p), p.created_at, post=p)
        for p in await posts(_BY_STAFF)
    ]
    items += [
        CalendarItem(CalendarKind.PIN, post_title(p), p.pinned_at, p.pinned_until, post=p)  # type: ignore[arg-type]
        for p in await posts(_PINS)
    ]
    items += [
        CalendarItem(CalendarKind.FEATURE, post_title(p), p.featured_at, post=p)  # type: ignore[arg-type]
        for p in await posts(_FEATURES)
    ]
    for event in await rows(Event, _EVENTS):
        items.append(
            CalendarItem(
                CalendarKind.EVENT, event.title, event.starts_at, event.ends_at, event=event
            )
        )
    for collection in await rows(Collection, _COLLECTIONS):
        items.append(
            CalendarItem(
                CalendarKind.COLLECTION,
                collection.title,
                collection.created_at,
                collection=collection,
            )
        )
    items.sort(key=lambda i: (i.starts_at, _ORDER.index(i.kind), _item_id(i)))
    return items


def _item_id(item: CalendarItem) -> int:
    behind = item.post or item.event or item.collection
    return behind.id if behind is not None else 0
