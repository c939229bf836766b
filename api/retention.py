"""Retention: members slipping away, and the size of each member segment (operators)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.analytics import JobHandle
from api.context import Context
from api.users import User
from domain import access, models, retention
from domain.pagination import check_first


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
class RetentionQuery:
    @strawberry.field(description="Members slipping away, riskiest first (operators).")
    async def at_risk_users(
        self, info: Info[Context, None], first: int | None = None
    ) -> list[AtRiskUser]:
        await info.context.require_role(models.Role.OPERATOR)
        size = check_first(first, cap=info.context.page_cap)
        calendar = info.context.runtime.rules.calendar
        return [
            AtRiskUser(
                risk=s.risk,
                last_active_at=calendar.start_of(s.last_active_day) if s.last_active_day else None,
                reason=s.reason,
                segment=s.segment,
                user=User.from_model(s.user),
            )
            for s in await retention.at_risk(size)
        ]

    @strawberry.field(description="When the segments and risks were last scored (operators).")
    async def segments_scored_at(self, info: Info[Context, None]) -> datetime | None:
        await info.context.require(access.can_read_operations)
        return await retention.scored_at()

    @strawberry.field(description="How many members are in each segment (operators).")
    async def user_segments(self, info: Info[Context, None]) -> list[SegmentSize]:
        await info.context.require_role(models.Role.OPERATOR)
        sizes = await retention.segment_sizes()
        return [SegmentSize(name=name, count=count) for name, count in sizes.items()]


@strawberry.type
class RetentionMutation:
    @strawberry.mutation(
        description="Score every member's churn risk and segment now, in the background "
        "(operators; it also runs nightly and after an import)."
    )
    async def refresh_retention_signals(self, info: Info[Context, None]) -> JobHandle:
        await info.context.require(access.can_read_operations)
        from jobs.community import score_retention

        job = await info.context.runtime.enqueue(score_retention)
        return JobHandle(id=strawberry.ID(job.task_id))
