"""推荐与任务: the model serving RECOMMENDED and its held-out figures against the popularity
baseline, the models trained so far, retraining on demand, and each scheduled job with its
last run, duration and outcome."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from console.desk import Desk

MODELS_SHOWN = 20
# (metric, its baseline), as RecommenderMetrics names them.
METRICS = (
    ("precisionAt10", "baselinePrecisionAt10"),
    ("recallAt10", "baselineRecallAt10"),
    ("auc", "baselineAuc"),
)


def comparison(metrics: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each figure beside the baseline's, with the lift (None when the baseline is 0)."""
    if not metrics:
        return []
    rows = []
    for name, base in METRICS:
        value, baseline = metrics[name], metrics[base]
        lift = (value - baseline) / baseline if baseline else None
        rows.append({"name": name, "value": value, "baseline": baseline, "lift": lift})
    return rows


async def show(desk: Desk) -> Response:
    outcome = await desk.run("ConsoleSystem", models=MODELS_SHOWN)
    found = outcome.data or {}
    status = found.get("recommenderStatus")
    return desk.render(
        "system.html",
        status_=status,
        figures=comparison(status["metrics"] if status else None),
        models=found.get("recommenderModels") or [],
        jobs=found.get("jobRuns") or [],
        problems=outcome.problems,
    )


async def retrain(desk: Desk) -> Response:
    outcome = await desk.run("ConsoleRetrainRecommender")
    return desk.render(
        "action_result.html",
        status=200 if outcome.ok else 400,
        message=desk.t("system.queued") if outcome.ok else None,
        problems=outcome.problems,
    )
