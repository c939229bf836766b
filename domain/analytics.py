"""Community health, as DESIGN.md defines it, over the community's calendar days.

DAU: members active on a day. WAU / MAU: distinct members active over the 7 / 30 days ending
on the last day asked. Stickiness: the average DAU of those 30 days ÷ MAU. Interaction rate:
members who liked, commented, shared, answered or voted ÷ members active, over the range.
Reply rate: posts with a comment or an answer within 24 hours ÷ posts, over the range. Report
rate: reports ÷ (posts + comments), over the range. N-day retention: the share of a day's new
members active exactly N days later. Posts count from when they went out: a scheduled one not
before it is published."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from redis.exceptions import RedisError

from adapters import sql
from adapters.redis import Store
from domain.calendar import Calendar
from domain.errors import BadInput
from domain.models import ClientEventKind, DailyMetric, PostStatus, ShareChannel

log = logging.getLogger("quanzi.metrics")

RANGE_MAX_DAYS = 366


# Dates a community's figures can be about: the day after the last, in UTC, must still be
# a date (0001-01-01 and 9999-12-31 are valid GraphQL Dates and crashed these reports).
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(9999, 1, 1)


def check_range(start: date, end: date) -> None:
    if start < EARLIEST_DAY:
        raise BadInput("bad_input", field="from")
    if end > LATEST_DAY or start > end or (end - start).days >= RANGE_MAX_DAYS:
        raise BadInput("bad_input", field="to")


@dataclass(frozen=True)
class DayMetrics:
    date: date
    dau: int
    new_users: int
    posts: int
    comments: int
    likes: int
    shares: int
    reports: int


async def compute_day(calendar: Calendar, day: date) -> DayMetrics:
    lo, hi = calendar.bounds(day, day)
    row = (
        await sql.fetch(
            """
            SELECT
              (SELECT count(*) FROM member_activity WHERE day = $3) AS dau,
              (SELECT count(*) FROM users WHERE created_at >= $1 AND created_at < $2) AS new_users,
              (SELECT count(*) FROM posts WHERE created_at >= $1 AND created_at < $2
                 AND status <> $4 AND status <> 'SCHEDULED') AS posts,
              (SELECT count(*) FROM comments WHERE created_at >= $1 AND created_at < $2
                 AND status <> $4) AS comments,
              (SELECT count(*) FROM post_likes WHERE created_at >= $1 AND created_at < $2)
              + (SELECT count(*) FROM comment_likes WHERE created_at >= $1 AND created_at < $2)
                AS likes,
              (SELECT count(*) FROM shares WHERE created_at >= $1 AND created_at < $2) AS shares,
              (SELECT count(*) FROM reports WHERE created_at >= $1 AND created_at < $2) AS reports
            """,
            lo,
            hi,
            day,
            PostStatus.DELETED.value,
        )
    )[0]
    return DayMetrics(date=day, **{k: int(v) for k, v in row.items()})


async def store_day(calendar: Calendar, day: date) -> DayMetrics:
    """Compute a day and keep it (the daily job does this for yesterday and today)."""
    metrics = await compute_day(calendar, day)
    await sql.fetch(
        "INSERT INTO daily_metrics (day, dau, new_users, posts, comments, likes, shares, reports, "
        "computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) ON CONFLICT (day) DO UPDATE "
        "SET dau = EXCLUDED.dau, new_users = EXCLUDED.new_users, posts = EXCLUDED.posts, "
        "comments = EXCLUDED.comments, likes = EXCLUDED.likes, shares = EXCLUDED.shares, "
        "reports = EXCLUDED.reports, computed_at = now() RETURNING day",
        day,
        metrics.dau,
        metrics.new_users,
        metrics.posts,
        metrics.comments,
        metrics.likes,
        metrics.shares,
        metrics.reports,
    )
    return metrics


@dataclass(frozen=True)
class CommunityMetrics:
    days: list[DayMetrics]
    wau: int
    mau: int
    stickiness: float
    interaction_rate: float
    reply_rate: float
    report_rate: float


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


async def community_metrics(calendar: Calendar, start: date, end: date) -> CommunityMetrics:
    check_range(start, end)
    stored = {m.day: m for m in await DailyMetric.filter(day__gte=start, day__lte=end)}
    days = []
    current = calendar.today()
    day = start
    while day <= end:
        kept = stored.get(day)
        if kept is not None and day < current and kept.computed_at.date() > day:
            days.append(
                DayMetrics(
                    day,
                    kept.dau,
                    kept.new_users,
                    kept.posts,
                    kept.comments,
                    kept.likes,
                    kept.shares,
                    kept.reports,
                )
            )
        else:
            days.append(
                await store_day(calendar, day)
                if day <= current
                else await compute_day(calendar, day)
            )
        day += timedelta(days=1)
    lo, hi = calendar.bounds(start, end)
    row = (
        await sql.fetch(
            """
            SELECT
              (SELECT count(DISTINCT user_id) FROM member_activity
                 WHERE day BETWEEN $3::date - 6 AND $3) AS wau,
              (SELECT count(DISTINCT user_id) FROM member_activity
                 WHERE day BETWEEN $3::date - 29 AND $3) AS mau,
              (SELECT count(*) FROM member_activity
                 WHERE day BETWEEN $3::date - 29 AND $3) AS active_days_30,
              (SELECT count(DISTINCT user_id) FROM member_activity
                 WHERE day BETWEEN $4 AND $3) AS active,
              (SELECT count(DISTINCT u) FROM (
                  SELECT user_id AS u FROM post_likes WHERE created_at >= $1 AND created_at < $2
                  UNION ALL SELECT user_id FROM comment_likes
                    WHERE created_at >= $1 AND created_at < $2
                  UNION ALL SELECT author_id FROM comments
                    WHERE created_at >= $1 AND created_at < $2 AND status <> $5
                  UNION ALL SELECT user_id FROM shares WHERE created_at >= $1 AND created_at < $2
                  UNION ALL SELECT author_id FROM answers
                    WHERE created_at >= $1 AND created_at < $2 AND status <> $5
                  UNION ALL SELECT user_id FROM answer_votes
                    WHERE created_at >= $1 AND created_at < $2
                  UNION ALL SELECT user_id FROM poll_voters
                    WHERE created_at >= $1 AND created_at < $2
              ) i WHERE u IN (SELECT user_id FROM member_activity WHERE day BETWEEN $4 AND $3)
              ) AS interacting,
              (SELECT count(*) FROM posts p WHERE p.created_at >= $1 AND p.created_at < $2
                 AND p.status <> $5 AND p.status <> 'SCHEDULED') AS posts,
              (SELECT count(*) FROM posts p WHERE p.created_at >= $1 AND p.created_at < $2
                 AND p.status <> $5 AND p.status <> 'SCHEDULED' AND (
                   EXISTS (SELECT 1 FROM comments c WHERE c.post_id = p.id
                     AND c.answer_id IS NULL AND c.status <> $5
                     AND c.created_at <= p.created_at + interval '24 hours')
                   OR EXISTS (SELECT 1 FROM answers a WHERE a.question_id = p.id
                     AND a.status <> $5
                     AND a.created_at <= p.created_at + interval '24 hours'))) AS replied,
              (SELECT count(*) FROM comments WHERE created_at >= $1 AND created_at < $2
                 AND status <> $5) AS comments,
              (SELECT count(*) FROM reports WHERE created_at >= $1 AND created_at < $2)
                AS reports
            """,
            lo,
            hi,
            end,
            start,
            PostStatus.DELETED.value,
        )
    )[0]
    mau = int(row["mau"])
    return CommunityMetrics(
        days=days,
        wau=int(row["wau"]),
        mau=mau,
        stickiness=_ratio(int(row["active_days_30"]), 30 * mau),
        interaction_rate=_ratio(int(row["interacting"]), int(row["active"])),
        reply_rate=_ratio(int(row["replied"]), int(row["posts"])),
        report_rate=_ratio(int(row["reports"]), int(row["posts"]) + int(row["comments"])),
    )


@dataclass(frozen=True)
class RetentionPoint:
    day: int
    retained: int
    rate: float


@dataclass(frozen=True)
class Cohort:
    cohort_date: date
    size: int
    points: list[RetentionPoint]


async def retention_cohorts(
    calendar: Calendar, start: date, end: date, offsets: list[int]
) -> list[Cohort]:
    """For each day's new members: how many were active exactly N days later."""
    check_range(start, end)
    if not offsets or len(offsets) > 60 or any(not 0 <= n <= 365 for n in offsets):
        raise BadInput("bad_input", field="days")
    rows = await sql.fetch(
        """
        WITH cohort AS (
          SELECT id, (created_at AT TIME ZONE $3)::date AS joined FROM users
          WHERE (created_at AT TIME ZONE $3)::date BETWEEN $1 AND $2
        )
        SELECT c.joined, n, count(DISTINCT c.id) FILTER (WHERE a.user_id IS NOT NULL) AS kept,
               count(DISTINCT c.id) AS size
        FROM cohort c CROSS JOIN unnest($4::int[]) AS n
        LEFT JOIN member_activity a ON a.user_id = c.id AND a.day = c.joined + n
        GROUP BY c.joined, n ORDER BY c.joined, n
        """,
        start,
        end,
        calendar.timezone,
        offsets,
    )
    cohorts: dict[date, Cohort] = {}
    for r in rows:
        cohort = cohorts.setdefault(r["joined"], Cohort(r["joined"], int(r["size"]), []))
        kept = int(r["kept"])
        cohort.points.append(RetentionPoint(int(r["n"]), kept, _ratio(kept, cohort.size)))
    return list(cohorts.values())


@dataclass(frozen=True)
class FunnelStep:
    name: str
    count: int


async def share_funnel(
    calendar: Calendar, start: date, end: date, channel: ShareChannel | None = None
) -> list[FunnelStep]:
    """Shares → opens of shared links → sign-ups through a share → those who then posted.
    With a channel, only that channel's shares and the opens and sign-ups their tokens
    brought (shares.token is unique: one probe per open or sign-up)."""
    check_range(start, end)
    lo, hi = calendar.bounds(start, end)
    # $5 NULL: every channel (opens and sign-ups counted whatever token they carry).
    through = (
        "($5::text IS NULL OR EXISTS (SELECT 1 FROM shares s WHERE s.token = {} "
        "AND s.channel = $5))"
    )
    row = (
        await sql.fetch(
            f"""
            SELECT
              (SELECT count(*) FROM shares WHERE created_at >= $1 AND created_at < $2
                 AND ($5::text IS NULL OR channel = $5)) AS shares,
              (SELECT count(*) FROM client_events e WHERE kind = $4
                 AND occurred_at >= $1 AND occurred_at < $2
                 AND {through.format("e.share_token")}) AS opens,
              (SELECT count(*) FROM users u WHERE signup_share_token IS NOT NULL
                 AND created_at >= $1 AND created_at < $2
                 AND {through.format("u.signup_share_token")}) AS signups,
              (SELECT count(*) FROM users u WHERE u.signup_share_token IS NOT NULL
                 AND u.created_at >= $1 AND u.created_at < $2
                 AND {through.format("u.signup_share_token")}
                 AND EXISTS (SELECT 1 FROM posts p WHERE p.author_id = u.id
                   AND p.status = $3)) AS first_posts
            """,
            lo,
            hi,
            PostStatus.PUBLISHED.value,
            ClientEventKind.SHARE_OPEN.value,
            channel.value if channel else None,
        )
    )[0]
    return [
        FunnelStep(name, int(row[name])) for name in ("shares", "opens", "signups", "first_posts")
    ]


# ---------------------------------------------------------------- activity marks

_marked: set[tuple[int, date]] = set()


def _active_key(store: Store, day: date) -> str:
    return store.key("active", day.isoformat())


async def mark_active(store: Store, calendar: Calendar, user_id: int) -> None:
    """Note a member active today: once per process and day in Redis, flushed by a job."""
    day = calendar.today()
    if (user_id, day) in _marked:
        return
    key = _active_key(store, day)
    try:
        await store.redis.sadd(key, user_id)
        await store.redis.expire(key, 8 * 24 * 3600)
    except (RedisError, OSError) as exc:
        # A lost mark is one member's "active today"; a failed request would be worse.
        log.warning("activity mark lost, Redis failed: %s", exc)
        return
    if len(_marked) > 100_000:
        _marked.clear()
    _marked.add((user_id, day))


async def flush_activity(store: Store, calendar: Calendar, days_back: int = 2) -> int:
    """Write the Redis marks of the last days into member_activity; return rows written."""
    written = 0
    current = calendar.today()
    for back in range(days_back + 1):
        day = current - timedelta(days=back)
        members = await store.redis.smembers(_active_key(store, day))
        if not members:
            continue
        inserted = await sql.fetch(
            "INSERT INTO member_activity (user_id, day) SELECT u, $2 FROM unnest($1::bigint[]) u "
            # In key order (Redis keeps no order): two flushes at once take turns.
            "WHERE EXISTS (SELECT 1 FROM users WHERE id = u) ORDER BY u ON CONFLICT DO NOTHING "
            "RETURNING id",
            [int(m) for m in members],
            day,
        )
        written += len(inserted)
    return written
