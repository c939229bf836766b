"""Trending topics: the topics heating up now, and recomputing them."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.analytics import JobHandle
from api.context import Context
from api.topics import Topic
from domain import models, trending
from domain.pagination import check_first


@strawberry.type
class TrendingTopic:
    rank: int
    heat: float
    rank_change: int | None = strawberry.field(
        description="Rank at the end of yesterday − rank now (3: up three places); null when "
        "it was not on yesterday's board."
    )
    topic: Topic


@strawberry.type
class TrendingQuery:
    @strawberry.field(description="The topics heating up now.")
    async def trending_topics(
        self, info: Info[Context, None], first: int | None = None
    ) -> list[TrendingTopic]:
        size = check_first(first, cap=info.context.page_cap)
        runtime = info.context.runtime
        board = await trending.top(runtime.store, size, calendar=runtime.rules.calendar)
        return [
            TrendingTopic(
                rank=t.rank,
                heat=t.heat,
                rank_change=t.rank_change,
                topic=Topic.from_model(t.topic),
            )
            for t in board
        ]


@strawberry.type
class TrendingMutation:
    @strawberry.mutation(description="Recompute trending topics now, in the background.")
    async def refresh_trending(self, info: Info[Context, None]) -> JobHandle:
        await info.context.require_role(models.Role.OPERATOR)
        from jobs.community import refresh_trending

        job = await info.context.runtime.enqueue(refresh_trending)
        return JobHandle(id=strawberry.ID(job.task_id))
