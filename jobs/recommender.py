"""Retraining the recommender nightly and keeping members' candidate lists fresh."""

from __future__ import annotations

from jobs.broker import task
from jobs.runtime import FromWorker, JobRuntime
from recommend import registry, serving


@task(task_name="quanzi.retrain_recommender", schedule=[{"cron": "0 2 * * *"}])
async def retrain_recommender(runtime: JobRuntime = FromWorker) -> dict[str, object]:
    """Train, evaluate, publish if better, then precompute with whatever now serves."""
    row = await registry.train_and_register(runtime.recommender)
    written = await precompute_recommendations(runtime)
    return {
        "version": row.version,
        "published": row.published,
        "epochs": row.metrics.get("epochs"),
        "lists": written,
    }


@task(task_name="quanzi.precompute_recommendations", schedule=[{"cron": "15 * * * *"}])
async def precompute_recommendations(runtime: JobRuntime = FromWorker) -> int:
    loaded = await registry.current()
    if loaded is None:
        return 0
    row, trained = loaded
    return await serving.precompute(
        runtime.store, row.version, trained, runtime.recommender.candidates
    )
