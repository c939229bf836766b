"""How the review desk keeps up, over a range of the community's days: tasks coming in,
decisions taken (each decision counts, at the stage it was taken), how long each stage took to
decide and how much of it within the stage's SLA, each reviewer's decisions, and appeals that
overturned a rejection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from adapters import sql
from domain import access
from domain.analytics import check_range
from domain.errors import Forbidden
from domain.models import ReviewStage, ReviewStatus, User
from domain.rules import CommunityRules


@dataclass(frozen=True)
class DayLoad:
    date: date
    inflow: int  # tasks opened
    decided: int  # decisions taken
    decided_within_sla: int


@dataclass(frozen=True)
class StageSpeed:
    stage: ReviewStage
    decided: int
    median_seconds: float | None  # from reaching the stage to the decision
    p95_seconds: float | None
    within_sla_rate: float | None  # None when nothing was decided


@dataclass(frozen=True)
class ReviewerCounts:
    moderator_id: int
    decided: int
    approved: int
    rejected: int
    escalated: int


@dataclass(frozen=True)
class ReviewMetrics:
    days: list[DayLoad]
    stages: list[StageSpeed]
    moderators: list[ReviewerCounts]
    appeals_overturned: int


# Whether decision `d` came within its stage's SLA ($3..$5: the SLAs in seconds).
_WITHIN_SLA = """d.decided_at - d.stage_entered_at <= make_interval(secs => CASE d.stage
    WHEN 'FIRST' THEN $3::float8 WHEN 'SECOND' THEN $4::float8 ELSE $5::float8 END)"""


async def review_metrics(
    viewer: User, start: date, end: date, *, rules: CommunityRules
) -> ReviewMetrics:
    """Operators only; `start` to `end` inclusive, at most a year."""
    if not access.can_read_review_metrics(viewer):
        raise Forbidden()
    check_range(start, end)
    calendar = rules.calendar
    lo, hi = calendar.bounds(start, end)
    slas = [rules.review_sla(stage).total_seconds() for stage in ReviewStage]
    zone = calendar.timezone
    inflow = await sql.fetch(
        "SELECT (created_at AT TIME ZONE $3)::date AS day, count(*) AS n FROM review_tasks "
        "WHERE created_at >= $1 AND created_at < $2 GROUP BY 1",
        lo,
        hi,
        zone,
    )
    decided = await sql.fetch(
        f"""
        SELECT (d.decided_at AT TIME ZONE $6)::date AS day, count(*) AS n,
            count(*) FILTER (WHERE {_WITHIN_SLA}) AS within
        FROM review_decisions d WHERE d.decided_at >= $1 AND d.decided_at < $2 GROUP BY 1
        """,
        lo,
        hi,
        *slas,
        zone,
    )
    stages = await sql.fetch(
        f"""
        SELECT d.stage, count(*) AS n,
            percentile_cont(0.5) WITHIN GROUP (
                ORDER BY extract(epoch FROM d.decided_at - d.stage_entered_at)) AS median,
            percentile_cont(0.95) WITHIN GROUP (
                ORDER BY extract(epoch FROM d.decided_at - d.stage_entered_at)) AS p95,
            avg(CASE WHEN {_WITHIN_SLA} THEN 1.0 ELSE 0.0 END) AS within_rate
        FROM review_decisions d WHERE d.decided_at >= $1 AND d.decided_at < $2 GROUP BY 1
        """,
        lo,
        hi,
        *slas,
    )
    reviewers = await sql.fetch(
        """
        SELECT actor_id, count(*) AS n,
            count(*) FILTER (WHERE decision = 'APPROVE') AS approved,
            count(*) FILTER (WHERE decision = 'REJECT') AS rejected,
            count(*) FILTER (WHERE decision = 'ESCALATE') AS escalated
        FROM review_decisions WHERE decided_at >= $1 AND decided_at < $2
            AND actor_id IS NOT NULL
        GROUP BY actor_id ORDER BY n DESC, actor_id
        """,
        lo,
        hi,
    )
    [appeals] = await sql.fetch(
        "SELECT count(*) AS n FROM review_tasks WHERE closed_at >= $1 AND closed_at < $2 "
        "AND appeal AND status = $3",
        lo,
        hi,
        ReviewStatus.APPROVED.value,
    )
    inflow_by_day = {row["day"]: int(row["n"]) for row in inflow}
    decided_by_day = {row["day"]: row for row in decided}
    stage_rows = {row["stage"]: row for row in stages}
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        row = decided_by_day.get(day)
        days.append(
            DayLoad(
                date=day,
                inflow=inflow_by_day.get(day, 0),
                decided=int(row["n"]) if row else 0,
                decided_within_sla=int(row["within"]) if row else 0,
            )
        )
    return ReviewMetrics(
        days=days,
        stages=[_speed(stage, stage_rows.get(stage.value)) for stage in ReviewStage],
        moderators=[
            ReviewerCounts(
                moderator_id=row["actor_id"],
                decided=int(row["n"]),
                approved=int(row["approved"]),
                rejected=int(row["rejected"]),
                escalated=int(row["escalated"]),
            )
            for row in reviewers
        ],
        appeals_overturned=int(appeals["n"]),
    )


def _speed(stage: ReviewStage, row: dict | None) -> StageSpeed:
    if row is None:
        return StageSpeed(stage, 0, None, None, None)
    return StageSpeed(
        stage=stage,
        decided=int(row["n"]),
        median_seconds=float(row["median"]),
        p95_seconds=float(row["p95"]),
        within_sla_rate=float(row["within_rate"]),
    )
