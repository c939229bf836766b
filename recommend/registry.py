"""The model registry: train, evaluate beside the popularity baseline, keep the artefact and
its row, publish only a model that beats the baseline, and switch serving atomically."""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from adapters import sql
from domain.models import RecommenderModel
from recommend import dataset
from recommend.model import Metrics, Params, Trained, evaluate, split_per_user, train

log = logging.getLogger("quanzi.recommend")


@dataclass(frozen=True)
class RecommenderConfig:
    """How the recommender trains and where it keeps its models (built from settings by the
    composition root or the CLI)."""

    days: int  # interactions of the last `days` days train it
    params: Params
    candidates: int  # precomputed per member
    models_dir: Path
    level_thresholds: tuple[int, ...]  # members' levels are a feature
    explore_share: float = 0.1  # of a RECOMMENDED list, fresh posts mixed in


def beats(model: Metrics, baseline: Metrics) -> bool:
    """Better precision@10, or the same precision and a better AUC."""
    if model.users == 0:
        return False
    if model.precision_at_10 != baseline.precision_at_10:
        return model.precision_at_10 > baseline.precision_at_10
    return model.auc > baseline.auc


def _fit_and_measure(
    data: dataset.Interactions, params: Params
) -> tuple[Trained, Metrics, Metrics]:
    train_set, test_set = split_per_user(data.triples, seed=params.seed)
    held_out = dataset.Interactions(train_set, data.user_features, data.item_features)
    measured, baseline = evaluate(train(held_out, params), train_set, test_set)
    # Serve a model that has seen everything; the measurement is the held-out one's.
    return train(data, params), measured, baseline


async def train_and_register(
    config: RecommenderConfig, *, publish: bool | None = None
) -> RecommenderModel:
    """Train on the community's recent interactions; publish when it beats the baseline
    (or when told to). The artefact goes under var/models/."""
    started = time.perf_counter()
    data = await dataset.build(config.days, config.level_thresholds)
    version = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4]
    path = config.models_dir / f"{version}.pkl"
    if not data.triples:
        return await RecommenderModel.create(
            version=version, path="", interactions=0, users=0, items=0, published=False
        )
    trained, measured, baseline = await asyncio.to_thread(_fit_and_measure, data, config.params)
    await asyncio.to_thread(_save, trained, path)
    should_publish = beats(measured, baseline) if publish is None else publish
    async with in_transaction() as conn:
        row = await RecommenderModel.create(
            version=version,
            path=str(path),
            interactions=len(data.triples),
            users=len(data.users),
            items=len(data.items),
            metrics=asdict(measured),
            baseline=asdict(baseline),
            published=should_publish,
            seconds=round(time.perf_counter() - started, 3),
            using_db=conn,
        )
        if should_publish:
            await sql.execute("UPDATE recommender_models SET current = false", conn=conn)
            await sql.execute(
                "UPDATE recommender_models SET current = true WHERE id = $1", row.id, conn=conn
            )
            row.current = True
    return row


def _save(trained: Trained, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as fh:
        pickle.dump(trained, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


_loaded: dict[str, Trained] = {}


async def current() -> tuple[RecommenderModel, Trained] | None:
    """The serving model (loaded once per process and version), None before the first or
    when this process cannot read its artefact (then the feed falls back, and says so in
    the log, rather than failing)."""
    row = await RecommenderModel.filter(current=True).first()
    if row is None or not row.path:
        return None
    if row.version not in _loaded:
        try:
            trained = await asyncio.to_thread(_load, Path(row.path))
        except (OSError, pickle.UnpicklingError, EOFError) as exc:
            log.warning("recommender model %s unreadable at %s: %s", row.version, row.path, exc)
            return None
        _loaded.clear()
        _loaded[row.version] = trained
    return row, _loaded[row.version]


def _load(path: Path) -> Trained:
    with path.open("rb") as fh:
        return pickle.load(fh)


async def rollback() -> RecommenderModel | None:
    """Serve the previously published model again."""
    rows = await RecommenderModel.filter(published=True).order_by("-id").limit(2)
    if len(rows) < 2:
        return None
    async with in_transaction() as conn:
        await sql.execute("UPDATE recommender_models SET current = false", conn=conn)
        await sql.execute(
            "UPDATE recommender_models SET current = true WHERE id = $1", rows[1].id, conn=conn
        )
    return rows[1]
