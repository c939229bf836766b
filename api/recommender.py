"""The recommender behind RECOMMENDED: its serving model's status, and retraining it."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.analytics import JobHandle
from api.context import Context
from domain import access, models
from domain.pagination import check_first
from recommend import registry


@strawberry.type
class RecommenderMetrics:
    precision_at_10: float
    recall_at_10: float
    auc: float
    baseline_precision_at_10: float
    baseline_recall_at_10: float
    baseline_auc: float
    epochs: int | None = strawberry.field(
        default=None, description="Epochs trained, chosen by early stopping; null if unknown."
    )
    compared_with: str | None = strawberry.field(
        default=None, description="The version that was serving when this one was trained."
    )
    serving_precision_at_10: float | None = strawberry.field(
        default=None,
        description="That model's precision@10 on the held-out pairs it had not seen; "
        "null when it was not compared.",
    )
    serving_auc: float | None = None
    compared_precision_at_10: float | None = strawberry.field(
        default=None, description="This model's precision@10 on the same pairs."
    )
    compared_auc: float | None = None
    compared_users: int | None = strawberry.field(
        default=None, description="Members those pairs belong to."
    )


@strawberry.type(description="The model serving RECOMMENDED, and how it measured.")
class RecommenderStatus:
    model_version: str | None
    trained_at: datetime | None
    interactions: int
    users: int
    items: int
    metrics: RecommenderMetrics | None
    published: bool


@strawberry.type(description="One trained model, published or not.")
class RecommenderModel:
    version: str
    trained_at: datetime
    published: bool = strawberry.field(description="It beat the baseline (or was forced).")
    serving: bool = strawberry.field(description="It is the model serving RECOMMENDED now.")
    interactions: int
    users: int
    items: int
    training_seconds: float
    metrics: RecommenderMetrics | None = strawberry.field(
        description="Its held-out figures beside the popularity baseline's; null if none."
    )

    @classmethod
    def from_model(cls, row: models.RecommenderModel) -> RecommenderModel:
        return cls(
            version=row.version,
            trained_at=row.trained_at,
            published=row.published,
            serving=row.current,
            interactions=row.interactions,
            users=row.users,
            items=row.items,
            training_seconds=row.seconds,
            metrics=_metrics(row),
        )


def _metrics(row: models.RecommenderModel) -> RecommenderMetrics | None:
    m, b = row.metrics, row.baseline
    if not m:
        return None
    against = m.get("against_serving") or {}
    serving, candidate = against.get("serving", {}), against.get("candidate", {})
    return RecommenderMetrics(
        precision_at_10=m.get("precision_at_10", 0.0),
        recall_at_10=m.get("recall_at_10", 0.0),
        auc=m.get("auc", 0.0),
        baseline_precision_at_10=b.get("precision_at_10", 0.0),
        baseline_recall_at_10=b.get("recall_at_10", 0.0),
        baseline_auc=b.get("auc", 0.0),
        epochs=m.get("epochs"),
        compared_with=m.get("serving_version"),
        serving_precision_at_10=serving.get("precision_at_10"),
        serving_auc=serving.get("auc"),
        compared_precision_at_10=candidate.get("precision_at_10"),
        compared_auc=candidate.get("auc"),
        compared_users=candidate.get("users"),
    )


@strawberry.type
class RecommenderQuery:
    @strawberry.field(description="The models trained so far, newest first (operators).")
    async def recommender_models(
        self, info: Info[Context, None], first: int | None = None
    ) -> list[RecommenderModel]:
        await info.context.require(access.can_read_operations)
        size = check_first(first, cap=info.context.page_cap)
        rows = await models.RecommenderModel.all().order_by("-id").limit(size)
        return [RecommenderModel.from_model(row) for row in rows]

    @strawberry.field(description="The serving model (or, before any, the latest trained).")
    async def recommender_status(self, info: Info[Context, None]) -> RecommenderStatus:
        await info.context.require_role(models.Role.OPERATOR)
        row = await registry.serving()
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
        return RecommenderStatus(
            model_version=row.version,
            trained_at=row.trained_at,
            interactions=row.interactions,
            users=row.users,
            items=row.items,
            metrics=_metrics(row),
            published=row.published,
        )


@strawberry.type
class RecommenderMutation:
    @strawberry.mutation(description="Train, evaluate and (if better) publish, in the background.")
    async def retrain_recommender(self, info: Info[Context, None]) -> JobHandle:
        await info.context.require_role(models.Role.OPERATOR)
        from jobs.recommender import retrain_recommender

        job = await info.context.runtime.enqueue(retrain_recommender)
        return JobHandle(id=strawberry.ID(job.task_id))
