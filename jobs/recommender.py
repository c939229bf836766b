"""Retraining the recommender nightly and keeping members' candidate lists and RECOMMENDED
lists fresh (a request only reads them: recommend/serving.py)."""

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
    """The active members' candidates from the serving model, then their RECOMMENDED lists."""
    loaded = await registry.current()
    if loaded is None:
        return 0
    row, trained = loaded
    members = await serving.active_members()
    written = await serving.precompute(
        runtime.store, row.version, trained, runtime.recommender.candidates, members
    )
    await serving.build_feeds(runtime.store, members, runtime.recommender.explore_share)
    return written


@task(task_name="quanzi.build_recommended_feed")
async def build_recommended_feed(user_id: int, runtime: JobRuntime = FromWorker) -> int:
    """One member's RECOMMENDED list: asked for at sign-in, on a first page that found none
    or an old one."""
    return await serving.build_feed(runtime.store, user_id, runtime.recommender.explore_share)
