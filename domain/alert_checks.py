"""Running the detectors: each reads the counts its rule needs (one aggregate query over
indexed columns, no row comes back to Python), the rule (detectors.py) decides, and the alerts
follow: one opens for a condition that holds unless one of its kind is already OPEN or
ACKNOWLEDGED (the partial unique index alerts_one_open makes sure, whatever races), and an
open one resolves on the first run that finds its condition false (or its rule disabled).

Runs serialize on an advisory lock, so a scheduled run and an operator's on-demand one never
interleave their reads and writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import detectors
from domain.alerts import current_rules
from domain.detectors import BASELINE_DAYS, DAU_WEEKS, Finding, RuleSetting
from domain.feedback_metrics import unanswered_past_due
from domain.models import (
    Alert,
    AlertKind,
    AlertStatus,
    FeedbackCategory,
    PostStatus,
    ReviewStage,
    ReviewStatus,
)
from domain.rules import CommunityRules

# pg_advisory_xact_lock's key for alert runs ("alerts" as a number).
LOCK_KEY = 0x616C65727473

Detector = Callable[
    [RuleSetting, CommunityRules, datetime, BaseDBAsyncClient], Awaitable[Finding | None]
]


async def _report_spike(
    rule: RuleSetting, rules: CommunityRules, now: datetime, conn: BaseDBAsyncClient
) -> Finding | None:
    """Reports in the last hour (d = 0) and in the same hour of each of the 14 days before:
    15 range counts on reports_created_idx."""
    rows = await sql.fetch(
        "SELECT d, (SELECT count(*) FROM reports WHERE "
        "created_at > $1::timestamptz - make_interval(days => d, mins => $3::int) "
        "AND created_at <= $1::timestamptz - make_interval(days => d)) AS n "
        "FROM generate_series(0, $2) AS d ORDER BY d",
        now,
        BASELINE_DAYS,
        rule.window_minutes,
        conn=conn,
    )
    counts = [int(r["n"]) for r in rows]
    return detectors.report_spike(rule, counts[0], counts[1:])


async def _dau_drop(
    rule: RuleSetting, rules: CommunityRules, now: datetime, conn: BaseDBAsyncClient
) -> Finding | None:
    """Yesterday (the last closed community day) and the same weekday of the 4 weeks before,
    counted on member_activity_day_idx. Activity marks reach the table every 5 minutes
    (record_activity): a run just after midnight may miss yesterday's last few minutes of
    newly active members, too few to trip a 30% drop."""
    day = rules.calendar.today(now) - timedelta(days=1)
    days = [day - timedelta(weeks=w) for w in range(DAU_WEEKS + 1)]
    rows = await sql.fetch(
        "SELECT day, count(*) AS n FROM member_activity WHERE day = ANY($1::date[]) GROUP BY day",
        days,
        conn=conn,
    )
    dau = {r["day"]: int(r["n"]) for r in rows}
    return detectors.dau_drop(rule, day, dau.get(day, 0), [dau.get(d, 0) for d in days[1:]])


async def _signup_spike(
    rule: RuleSetting, rules: CommunityRules, now: datetime, conn: BaseDBAsyncClient
) -> Finding | None:
    """New members per community day, today and the 14 before (users_created_idx), and how
    many posted on the day they joined (posts_author_idx, one probe per new member)."""
    calendar = rules.calendar
    today = calendar.today(now)
    since = calendar.start_of(today - timedelta(days=BASELINE_DAYS)).astimezone(UTC)
    rows = await sql.fetch(
        """
        WITH joined AS (
            SELECT id, (created_at AT TIME ZONE $3)::date AS day FROM users
            WHERE created_at >= $1 AND created_at <= $2
        )
        SELECT day, count(*) AS n, count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM posts p WHERE p.author_id = j.id AND p.status <> $4
              AND p.created_at < ((j.day + 1)::timestamp AT TIME ZONE $3))) AS posted
        FROM joined j GROUP BY day
        """,
        since,
        now,
        calendar.timezone,
        PostStatus.DELETED.value,
        conn=conn,
    )
    by_day = {r["day"]: (int(r["n"]), int(r["posted"])) for r in rows}
    earlier = [today - timedelta(days=d) for d in range(1, BASELINE_DAYS + 1)]
    signups, posted = by_day.get(today, (0, 0))
    return detectors.signup_spike(
        rule,
        signups,
        posted,
        [by_day.get(d, (0, 0))[0] for d in earlier],
        sum(by_day.get(d, (0, 0))[1] for d in earlier),
    )


async def _review_backlog(
    rule: RuleSetting, rules: CommunityRules, now: datetime, conn: BaseDBAsyncClient
) -> Finding | None:
    """Open tasks past their stage's SLA, per stage (review_tasks_stage_queue_idx)."""
    stages = list(ReviewStage)
    rows = await sql.fetch(
        " UNION ALL ".join(
            f"SELECT '{stage.value}' AS stage, count(*) AS n, min(stage_entered_at) AS oldest "
            f"FROM review_tasks WHERE status = $1 AND stage = '{stage.value}' "
            f"AND stage_entered_at < ${i + 2}"
            for i, stage in enumerate(stages)
        ),
        ReviewStatus.OPEN.value,
        *(now - rules.review_sla(stage) for stage in stages),
        conn=conn,
    )
    late = [r for r in rows if int(r["n"])]
    if not late:
        return detectors.backlog(rule, 0, 0.0)
    oldest = min(late, key=lambda r: r["oldest"])
    hours = (now - oldest["oldest"]).total_seconds() / 3600
    return detectors.backlog(rule, sum(int(r["n"]) for r in late), hours, oldest["stage"])


async def _feedback_backlog(
    rule: RuleSetting, rules: CommunityRules, now: datetime, conn: BaseDBAsyncClient
) -> Finding | None:
    overdue = await unanswered_past_due(rules, now, conn)
    if overdue.oldest_created_at is None:
        return None
    hours = (now - overdue.oldest_created_at).total_seconds() / 3600
    finding = detectors.backlog(rule, overdue.count, hours)
    if finding is not None:
        finding.detail["sla"] = rules.feedback_sla_hours
    return finding


async def _negative_feedback_spike(
    rule: RuleSetting, rules: CommunityRules, now: datetime, conn: BaseDBAsyncClient
) -> Finding | None:
    """COMPLAINT tickets per community day, today and the 14 before (feedback_category_idx)."""
    calendar = rules.calendar
    today = calendar.today(now)
    rows = await sql.fetch(
        "SELECT (created_at AT TIME ZONE $3)::date AS day, count(*) AS n FROM feedback "
        "WHERE category = $4 AND created_at >= $1 AND created_at <= $2 GROUP BY 1",
        calendar.start_of(today - timedelta(days=BASELINE_DAYS)).astimezone(UTC),
        now,
        calendar.timezone,
        FeedbackCategory.COMPLAINT.value,
        conn=conn,
    )
    by_day = {r["day"]: int(r["n"]) for r in rows}
    earlier = [by_day.get(today - timedelta(days=d), 0) for d in range(1, BASELINE_DAYS + 1)]
    return detectors.negative_feedback_spike(rule, by_day.get(today, 0), earlier)


DETECTORS: dict[AlertKind, Detector] = {
    AlertKind.REPORT_SPIKE: _report_spike,
    AlertKind.DAU_DROP: _dau_drop,
    AlertKind.SIGNUP_SPIKE: _signup_spike,
    AlertKind.REVIEW_BACKLOG: _review_backlog,
    AlertKind.FEEDBACK_BACKLOG: _feedback_backlog,
    AlertKind.NEGATIVE_FEEDBACK_SPIKE: _negative_feedback_spike,
}


@dataclass(frozen=True)
class CheckRun:
    opened: list[Alert]  # the alerts this run opened (the ones to announce), oldest first
    resolved: list[int]  # ids of the alerts this run resolved


async def run_checks(rules: CommunityRules, now: datetime | None = None) -> CheckRun:
    """Run every enabled detector once; open and resolve alerts as their conditions say."""
    now = now or datetime.now(UTC)
    opened: list[int] = []
    resolved: list[int] = []
    async with in_transaction() as conn:
        await sql.fetch("SELECT pg_advisory_xact_lock($1)", LOCK_KEY, conn=conn)
        settings = await current_rules(conn)
        for kind, detect in DETECTORS.items():
            rule = settings[kind]
            finding = await detect(rule, rules, now, conn) if rule.enabled else None
            if finding is None:
                rows = await sql.fetch(
                    "UPDATE alerts SET status = $2, resolved_at = $3 "
                    "WHERE kind = $1 AND status <> $2 RETURNING id",
                    kind.value,
                    AlertStatus.RESOLVED.value,
                    now,
                    conn=conn,
                )
                resolved += [int(r["id"]) for r in rows]
                continue
            rows = await sql.fetch(
                "INSERT INTO alerts (kind, severity, status, value, baseline, detail, opened_at) "
                "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) "
                "ON CONFLICT (kind) WHERE status <> 'RESOLVED' DO NOTHING RETURNING id",
                kind.value,
                finding.severity.value,
                AlertStatus.OPEN.value,
                float(finding.value),
                finding.baseline,
                orjson.dumps(finding.detail).decode(),
                now,
                conn=conn,
            )
            opened += [int(r["id"]) for r in rows]
    alerts = await Alert.filter(id__in=opened).order_by("id") if opened else []
    return CheckRun(opened=list(alerts), resolved=resolved)
