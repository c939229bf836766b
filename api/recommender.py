"""The recommender behind RECOMMENDED: its serving model's status, and retraining it."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.analytics import JobHandle
from api.context import Context
from domain import models


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
