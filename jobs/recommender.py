"""Retraining the recommender nightly and keeping members' candidate lists fresh."""

from __future__ import annotations

from jobs import state
from jobs.broker import task
from recommend import registry, serving


@task(task_name="quanzi.retrain_recommender", schedule=[{"cron": "0 2 * * *"}])
async def retrain_recommender() -> dict[str, object]:
    """Train, evaluate, publish if better, then precompute with whatever now serves."""
    rt = state.runtime()
    row = await registry.train_and_register(rt.recommender)
    written = await precompute_recommendations()
    return {"version": row.version, "published": row.published, "lists": written}


@task(task_name="quanzi.precompute_recommendations", schedule=[{"cron": "15 * * * *"}])
async def precompute_recommendations() -> int:
    rt = state.runtime()
    loaded = await registry.current()
    if loaded is None:
        return 0
    row, trained = loaded
    return await serving.precompute(rt.store, row.version, trained, rt.recommender.candidates)
