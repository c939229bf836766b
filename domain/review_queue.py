"""What waits for review: the workbench's queue (by stage, filtered, counted) and the day's
to-do list on the console's home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Subquery

from adapters import sql
from domain import access
from domain.errors import Forbidden
from domain.models import (
    FeedbackStatus,
    MembershipStatus,
    Report,
    ReportReason,
    ReviewSource,
    ReviewStage,
    ReviewStatus,
    ReviewTask,
    TargetType,
    User,
)
from domain.pagination import Counted, counted_page
from domain.review import TASKS_ABOUT
from domain.rules import CommunityRules


@dataclass(frozen=True)
class ReviewFilter:
    """Narrows a stage's queue; an unset (or empty) criterion narrows nothing."""

    report_reasons: tuple[ReportReason, ...] = ()  # tasks with a report of any of these
    sources: tuple[ReviewSource, ...] = ()
    target_type: TargetType | None = None
    min_reports: int | None = None
    appeals_only: bool | None = None  # True: appeals only; False: no appeals
    created_after: datetime | None = None
    created_before: datetime | None = None


async def queue(
    viewer: User,
    stage: ReviewStage,
    review_filter: ReviewFilter | None = None,
    *,
    first: int | None,
    after: str | None,
    cap: int,
) -> Counted[ReviewTask]:
    """Open tasks at a stage, longest at the stage first (so, soonest due first); the
    viewer's own content waits for others."""
    if not access.can_use_console(viewer):
        raise Forbidden()
    f = review_filter or ReviewFilter()
    own = await sql.fetch(
        f"SELECT id FROM ({TASKS_ABOUT} WHERE t.status = $2 AND t.stage = $3) o WHERE about = $1",
        viewer.id,
        ReviewStatus.OPEN.value,
        stage.value,
    )
    tasks = ReviewTask.filter(stage=stage, status=ReviewStatus.OPEN)
    if own:
        tasks = tasks.exclude(id__in=[row["id"] for row in own])
    if f.report_reasons:
        reported = Report.filter(reason__in=list(f.report_reasons)).values("task_id")
        tasks = tasks.filter(id__in=Subquery(reported))
    if f.sources:
        tasks = tasks.filter(source__in=list(f.sources))
    if f.target_type is not None:
        tasks = tasks.filter(target_type=f.target_type)
    if f.min_reports is not None:
        tasks = tasks.filter(report_count__gte=f.min_reports)
    if f.appeals_only is not None:
        tasks = tasks.filter(appeal=f.appeals_only)
    if f.created_after is not None:
        tasks = tasks.filter(created_at__gte=f.created_after)
    if f.created_before is not None:
        tasks = tasks.filter(created_at__lt=f.created_before)
    return await counted_page(
        tasks, first=first, after=after, order=("stage_entered_at", "id"), cap=cap
    )


@dataclass(frozen=True)
class StageLoad:
    stage: ReviewStage
    open_count: int
    overdue_count: int  # past the stage's SLA now
    oldest_entered_at: datetime | None


@dataclass(frozen=True)
class Overview:
    review_stages: list[StageLoad]
    open_appeals: int
    open_feedback: int
    pending_circle_members: int


async def overview(viewer: User, *, rules: CommunityRules) -> Overview:
    """The day's to-do list: every open task per stage (appeals included, at FINAL), how many
    are overdue and since when the oldest waits; appeals again on their own; feedback tickets
    not resolved or closed; members waiting to join a circle. One query."""
    if not access.can_use_console(viewer):
        raise Forbidden()
    now = datetime.now(UTC)
    rows = await sql.fetch(
        """
        SELECT stage, count(*) AS open_count,
            count(*) FILTER (WHERE stage_entered_at < CASE stage WHEN 'FIRST' THEN $2::timestamptz
                WHEN 'SECOND' THEN $3::timestamptz ELSE $4::timestamptz END) AS overdue_count,
            min(stage_entered_at) AS oldest, count(*) FILTER (WHERE appeal) AS appeals,
            NULL::bigint AS feedback, NULL::bigint AS pending
        FROM review_tasks WHERE status = $1 GROUP BY stage
        UNION ALL
        SELECT NULL, 0, 0, NULL, 0,
            (SELECT count(*) FROM feedback WHERE status = ANY($5::text[])),
            (SELECT count(*) FROM circle_members WHERE status = $6)
        """,
        ReviewStatus.OPEN.value,
        *(now - rules.review_sla(stage) for stage in ReviewStage),
        [FeedbackStatus.OPEN.value, FeedbackStatus.IN_PROGRESS.value],
        MembershipStatus.PENDING.value,
    )
    by_stage = {row["stage"]: row for row in rows if row["stage"] is not None}
    totals = next(row for row in rows if row["stage"] is None)
    return Overview(
        review_stages=[
            StageLoad(
                stage=stage,
                open_count=int(by_stage[stage]["open_count"]) if stage in by_stage else 0,
                overdue_count=int(by_stage[stage]["overdue_count"]) if stage in by_stage else 0,
                oldest_entered_at=by_stage[stage]["oldest"] if stage in by_stage else None,
            )
            for stage in ReviewStage
        ],
        open_appeals=sum(int(row["appeals"]) for row in by_stage.values()),
        open_feedback=int(totals["feedback"]),
        pending_circle_members=int(totals["pending"]),
    )
