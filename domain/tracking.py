"""Client events: batched impressions, views, dwell times and share-link opens.

Stored append-only for analytics and recommendations; a VIEW also counts once per member per
post per day (China time) in the post's viewCount."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from tortoise.transactions import in_transaction

from adapters import sql
from domain.errors import BadInput
from domain.models import ClientEventKind, User

EVENTS_PER_CALL_MAX = 100
DWELL_MAX_MS = 6 * 3600 * 1000
# Client clocks drift; events from further away than this are not believed.
CLOCK_SKEW = timedelta(days=1)
CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class ClientEventIn:
    kind: ClientEventKind
    post_id: int | None = None
    share_token: str | None = None
    duration_ms: int | None = None
    occurred_at: datetime | None = None


def _check(event: ClientEventIn, index: int, now: datetime) -> datetime:
    field = f"events.{index}"
    needs_post = event.kind in (
        ClientEventKind.IMPRESSION,
        ClientEventKind.VIEW,
        ClientEventKind.DWELL,
    )
    if needs_post and event.post_id is None:
        raise BadInput("event_invalid", field=f"{field}.postId")
    if event.kind == ClientEventKind.DWELL and not (
        event.duration_ms is not None and 0 <= event.duration_ms <= DWELL_MAX_MS
    ):
        raise BadInput("event_invalid", field=f"{field}.durationMs")
    if event.kind == ClientEventKind.SHARE_OPEN and not (
        event.share_token and len(event.share_token) <= 32
    ):
        raise BadInput("event_invalid", field=f"{field}.shareToken")
    occurred = event.occurred_at or now
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    if abs(occurred - now) > CLOCK_SKEW:
        raise BadInput("event_invalid", field=f"{field}.occurredAt")
    return occurred


async def track_events(user: User | None, events: list[ClientEventIn]) -> int:
    """Validate the whole batch, then store it in one transaction; return how many were kept."""
    if len(events) > EVENTS_PER_CALL_MAX:
        raise BadInput("too_many_events", field="events", max=EVENTS_PER_CALL_MAX)
    now = datetime.now(UTC)
    times = [_check(e, i, now) for i, e in enumerate(events)]
    if not events:
        return 0
    user_id = user.id if user else None
    async with in_transaction() as conn:
        # Events about posts that do not exist are dropped, not failed: lists on the client
        # may show posts deleted a moment ago.
        post_ids = sorted({e.post_id for e in events if e.post_id is not None})
        existing = {
            r["id"]
            for r in await sql.fetch(
                "SELECT id FROM posts WHERE id = ANY($1::bigint[])", post_ids, conn=conn
            )
        }
        kept = [
            (e, t)
            for e, t in zip(events, times, strict=True)
            if e.post_id is None or e.post_id in existing
        ]
        if kept:
            await sql.fetch(
                "INSERT INTO client_events "
                "(user_id, kind, post_id, share_token, duration_ms, occurred_at, received_at) "
                "SELECT $1, k, p, s, d, o, now() FROM unnest("
                "$2::text[], $3::bigint[], $4::text[], $5::int[], $6::timestamptz[]) "
                "AS e(k, p, s, d, o) RETURNING id",
                user_id,
                [e.kind.value for e, _ in kept],
                [e.post_id for e, _ in kept],
                [e.share_token for e, _ in kept],
                [e.duration_ms for e, _ in kept],
                [t for _, t in kept],
                conn=conn,
            )
        if user_id is not None:
            views = sorted(
                {
                    (e.post_id, t.astimezone(CHINA).date())
                    for e, t in kept
                    if e.kind == ClientEventKind.VIEW
                }
            )
            if views:
                counted = await sql.fetch(
                    "INSERT INTO post_views (user_id, post_id, day) "
                    "SELECT $1, p, d FROM unnest($2::bigint[], $3::date[]) AS v(p, d) "
                    "ON CONFLICT (user_id, post_id, day) DO NOTHING RETURNING post_id",
                    user_id,
                    [p for p, _ in views],
                    [d for _, d in views],
                    conn=conn,
                )
                # In id order, as every writer of several posts locks them.
                new_views = Counter(row["post_id"] for row in counted)
                await sql.bump_each("posts", "view_count", new_views, conn=conn)
    return len(kept)
