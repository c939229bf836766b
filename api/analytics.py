"""Operator analytics: community metrics, retention cohorts, the share funnel."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.moderation import ReportReason
from api.posts import ShareChannel
from domain import analytics, models
from domain.cohorts import weekly_cohorts


@strawberry.type
class ReasonCount:
    reason: ReportReason  # type: ignore[valid-type]
    count: int


@strawberry.type
class DayMetrics:
    date: date
    dau: int
    new_users: int
    posts: int
    comments: int
    likes: int
    shares: int
    reports: int

    @strawberry.field(
        description="The day's reports per reason (reasons with none left out); every day "
        "of the range in one query."
    )
    async def reports_by_reason(self, info: Info[Context, None]) -> list[ReasonCount]:
        loader = info.context.loaders.reports_by_reason(info.context.runtime.rules.calendar)
        return [ReasonCount(reason=c.reason, count=c.count) for c in await loader.load(self.date)]


@strawberry.type(description="Community health over a range of days (community calendar).")
class CommunityMetrics:
    days: list[DayMetrics]
    wau: int = strawberry.field(description="Members active in the 7 days ending `to`.")
    mau: int = strawberry.field(description="Members active in the 30 days ending `to`.")
    stickiness: float = strawberry.field(description="Average DAU of those 30 days ÷ MAU.")
    interaction_rate: float = strawberry.field(
        description="Members who liked, commented, shared, answered or voted ÷ active members."
    )
    reply_rate: float = strawberry.field(
        description="Posts with a comment or answer within 24 hours ÷ posts."
    )
    report_rate: float = strawberry.field(description="Reports ÷ (posts + comments).")


@strawberry.type
class RetentionPoint:
    day: int
    retained: int
    rate: float


@strawberry.type
class RetentionCohort:
    cohort_date: date
    size: int
    points: list[RetentionPoint]


@strawberry.type
class FunnelStep:
    name: str
    count: int


@strawberry.enum(
    description="DAY: cohorts of one day, points N days later; WEEK: cohorts "
    "of a calendar week (cohortDate its Monday), points in the Nth week after."
)
class CohortPeriod(Enum):
    DAY = "DAY"
    WEEK = "WEEK"


@strawberry.type(description="A queued background job.")
class JobHandle:
    id: strawberry.ID = strawberry.field(
        description="The queue's job id (32 hex digits), not a global ID: jobs are not nodes, "
        "and node(id:) does not fetch them."
    )


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(description="DAU, WAU, MAU and the community's rates (operators).")
    async def community_metrics(
        self,
        info: Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> CommunityMetrics:
        await info.context.require_role(models.Role.OPERATOR)
        result = await analytics.community_metrics(info.context.runtime.rules.calendar, from_, to)
        return CommunityMetrics(
            days=[DayMetrics(**vars(d)) for d in result.days],
            wau=result.wau,
            mau=result.mau,
            stickiness=result.stickiness,
            interaction_rate=result.interaction_rate,
            reply_rate=result.reply_rate,
            report_rate=result.report_rate,
        )

    @strawberry.field(
        description="Retention of each day's (or week's) new members: active exactly N days "
        "later (with WEEK: at least once in the Nth week after) (operators)."
    )
    async def retention_cohorts(
        self,
        info: Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        days: list[int],
        period: CohortPeriod = CohortPeriod.DAY,
    ) -> list[RetentionCohort]:
        await info.context.require_role(models.Role.OPERATOR)
        calendar = info.context.runtime.rules.calendar
        if period is CohortPeriod.WEEK:
            cohorts = await weekly_cohorts(calendar, from_, to, days)
        else:
            cohorts = await analytics.retention_cohorts(calendar, from_, to, days)
        return [
            RetentionCohort(
                cohort_date=c.cohort_date,
                size=c.size,
                points=[
                    RetentionPoint(day=p.day, retained=p.retained, rate=p.rate) for p in c.points
                ],
            )
            for c in cohorts
        ]

    @strawberry.field(description="shares → opens → sign-ups through a share → first posts.")
    async def share_funnel(
        self,
        info: Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        channel: Annotated[
            ShareChannel | None,  # type: ignore[valid-type]
            strawberry.argument(
                description="Only this channel's shares and the opens and sign-ups their "
                "links brought; null: every channel."
            ),
        ] = None,
    ) -> list[FunnelStep]:
        await info.context.require_role(models.Role.OPERATOR)
        steps = await analytics.share_funnel(
            info.context.runtime.rules.calendar, from_, to, channel
        )
        return [FunnelStep(name=s.name, count=s.count) for s in steps]
