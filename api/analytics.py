"""Operator analytics: community metrics, retention cohorts, the share funnel."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry
from strawberry.types import Info

from api.context import Context
from api.types.posts import Topic
from api.types.users import User
from domain import metrics, models, points, retention, trending
from domain.pagination import check_first


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
        result = await metrics.community_metrics(from_, to)
        return CommunityMetrics(
            days=[DayMetrics(**vars(d)) for d in result.days],
            wau=result.wau,
            mau=result.mau,
            stickiness=result.stickiness,
            interaction_rate=result.interaction_rate,
            reply_rate=result.reply_rate,
            report_rate=result.report_rate,
        )

    @strawberry.field(description="N-day retention of each day's new members (operators).")
    async def retention_cohorts(
        self,
        info: Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        days: list[int],
    ) -> list[RetentionCohort]:
        await info.context.require_role(models.Role.OPERATOR)
        cohorts = await metrics.retention_cohorts(from_, to, days)
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
    ) -> list[FunnelStep]:
        await info.context.require_role(models.Role.OPERATOR)
        steps = await metrics.share_funnel(from_, to)
        return [FunnelStep(name=s.name, count=s.count) for s in steps]


@strawberry.type
class TrendingTopic:
    rank: int
    heat: float
    topic: Topic


@strawberry.type(description="A queued background job.")
class JobHandle:
    id: strawberry.ID


@strawberry.type
class AtRiskUser:
    risk: float = strawberry.field(description="0–1: how likely the member is to drift away.")
    last_active_at: datetime | None
    reason: str
    segment: str
    user: User


@strawberry.type
class SegmentSize:
    name: str
    count: int


@strawberry.type
class TrendsQuery:
    @strawberry.field(description="The topics heating up now.")
    async def trending_topics(
        self, info: Info[Context, None], first: int | None = None
    ) -> list[TrendingTopic]:
        size = check_first(first, cap=info.context.page_cap)
        board = await trending.top(info.context.runtime.store, size)
        return [
            TrendingTopic(rank=t.rank, heat=t.heat, topic=Topic.from_model(t.topic)) for t in board
        ]

    @strawberry.field(description="Members slipping away, riskiest first (operators).")
    async def at_risk_users(
        self, info: Info[Context, None], first: int | None = None
    ) -> list[AtRiskUser]:
        await info.context.require_role(models.Role.OPERATOR)
        size = check_first(first, cap=info.context.page_cap)
        tz = ZoneInfo(points.rules().timezone)
        return [
            AtRiskUser(
                risk=s.risk,
                last_active_at=datetime.combine(s.last_active_day, time(), tz)
                if s.last_active_day
                else None,
                reason=s.reason,
                segment=s.segment,
                user=User.from_model(s.user),
            )
            for s in await retention.at_risk(size)
        ]

    @strawberry.field(description="How many members are in each segment (operators).")
    async def user_segments(self, info: Info[Context, None]) -> list[SegmentSize]:
        await info.context.require_role(models.Role.OPERATOR)
        sizes = await retention.segment_sizes()
        return [SegmentSize(name=name, count=count) for name, count in sizes.items()]


@strawberry.type
class TrendsMutation:
    @strawberry.mutation(description="Recompute trending topics now, in the background.")
    async def refresh_trending(self, info: Info[Context, None]) -> JobHandle:
        await info.context.require_role(models.Role.OPERATOR)
        from jobs.community import refresh_trending

        job = await refresh_trending.kiq()
        return JobHandle(id=strawberry.ID(job.task_id))


@strawberry.type
class RecommenderMetrics:
    precision_at_10: float
    recall_at_10: float
    auc: float
    baseline_precision_at_10: float
    baseline_recall_at_10: float
    baseline_auc: float


@strawberry.type(description="The model serving RECOMMENDED, and how it measured.")
class RecommenderStatus:
    model_version: str | None
    trained_at: datetime | None
    interactions: int
    users: int
    items: int
    metrics: RecommenderMetrics | None
    published: bool


@strawberry.type
class RecommenderQuery:
    @strawberry.field(description="The serving model (or, before any, the latest trained).")
    async def recommender_status(self, info: Info[Context, None]) -> RecommenderStatus:
        await info.context.require_role(models.Role.OPERATOR)
        row = await models.RecommenderModel.filter(current=True).first()
        row = row or await models.RecommenderModel.all().order_by("-id").first()
        if row is None:
            return RecommenderStatus(
                model_version=None,
                trained_at=None,
                interactions=0,
                users=0,
                items=0,
                metrics=None,
                published=False,
            )
        m, b = row.metrics, row.baseline
        return RecommenderStatus(
            model_version=row.version,
            trained_at=row.trained_at,
            interactions=row.interactions,
            users=row.users,
            items=row.items,
            metrics=RecommenderMetrics(
                precision_at_10=m.get("precision_at_10", 0.0),
                recall_at_10=m.get("recall_at_10", 0.0),
                auc=m.get("auc", 0.0),
                baseline_precision_at_10=b.get("precision_at_10", 0.0),
                baseline_recall_at_10=b.get("recall_at_10", 0.0),
                baseline_auc=b.get("auc", 0.0),
            )
            if m
            else None,
            published=row.published,
        )


@strawberry.type
class RecommenderMutation:
    @strawberry.mutation(description="Train, evaluate and (if better) publish, in the background.")
    async def retrain_recommender(self, info: Info[Context, None]) -> JobHandle:
        await info.context.require_role(models.Role.OPERATOR)
        from jobs.recommender import retrain_recommender

        job = await retrain_recommender.kiq()
        return JobHandle(id=strawberry.ID(job.task_id))
