"""The model registry: train, evaluate beside the popularity baseline and the serving model,
keep the artefact and its row, publish only a model that beats the baseline and is at least
as good as the serving one, and switch serving atomically."""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain.models import RecommenderModel
from recommend import dataset
from recommend.evaluation import Comparison, Metrics, compare, evaluate, split_per_user
from recommend.model import Params, Trained, choose_epochs, train

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


def promotes(measured: Metrics, baseline: Metrics, against_serving: Comparison | None) -> bool:
    """It beats the baseline, and the serving model (if any, on the held-out pairs it did
    not see) does not beat it: on a tie the fresher model serves, as it knows newer posts."""
    if not beats(measured, baseline):
        return False
    return against_serving is None or not beats(against_serving.serving, against_serving.candidate)


@dataclass(frozen=True)
class _Fitted:
    trained: Trained  # on everything: the one that serves
    measured: Metrics  # of the same recipe without the held-out items
    baseline: Metrics
    against_serving: Comparison | None


def _fit_and_measure(
    data: dataset.Interactions, params: Params, serving: Trained | None
) -> _Fitted:
    train_set, test_set = split_per_user(data.triples, seed=params.seed)
    held_out = dataset.Interactions(train_set, data.user_features, data.item_features)
    epochs, _curve = choose_epochs(held_out, params)
    candidate = train(held_out, params, epochs=epochs)
    measured, baseline = evaluate(candidate, train_set, test_set)
    # A model that does not say what it was trained on cannot be measured fairly on held-out
    # pairs (it may have seen them): then only the baseline decides.
    against = None
    if serving is not None and serving.seen is not None:
        against = compare(candidate, serving, train_set, test_set)
    # Serve a model that has seen everything; the measurement is the held-out one's.
    return _Fitted(train(data, params, epochs=epochs), measured, baseline, against)


def _recorded(fitted: _Fitted, serving_version: str | None) -> dict[str, object]:
    """The row's metrics: the held-out figures, the epochs chosen, and what the serving model
    and this one scored on the pairs the serving one had not seen."""
    recorded: dict[str, object] = {**asdict(fitted.measured), "epochs": fitted.trained.epochs}
    if serving_version is not None:
        recorded["serving_version"] = serving_version
    if fitted.against_serving is not None:
        recorded["against_serving"] = {
            "candidate": asdict(fitted.against_serving.candidate),
            "serving": asdict(fitted.against_serving.serving),
        }
    return recorded


async def train_and_register(
    config: RecommenderConfig, *, publish: bool | None = None
) -> RecommenderModel:
    """Train on the community's recent interactions; publish when it beats the baseline and
    the serving model does not beat it (or when told to). The artefact goes under
    var/models/."""
    started = time.perf_counter()
    data = await dataset.build(config.days, config.level_thresholds)
    version = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4]
    path = config.models_dir / f"{version}.pkl"
    if not data.triples:
        return await RecommenderModel.create(
            version=version, path="", interactions=0, users=0, items=0, published=False
        )
    serving = await current()
    fitted = await asyncio.to_thread(
        _fit_and_measure, data, config.params, serving[1] if serving else None
    )
    await asyncio.to_thread(_save, fitted.trained, path)
    if publish is None:
        should_publish = promotes(fitted.measured, fitted.baseline, fitted.against_serving)
    else:
        should_publish = publish
    async with in_transaction() as conn:
        row = await RecommenderModel.create(
            version=version,
            path=str(path),
            interactions=len(data.triples),
            users=len(data.users),
            items=len(data.items),
            metrics=_recorded(fitted, serving[0].version if serving else None),
            baseline=asdict(fitted.baseline),
            published=should_publish,
            seconds=round(time.perf_counter() - started, 3),
            using_db=conn,
        )
        if should_publish:
            await serve_model(row.id, conn)
            row.current = True
    return row


# pg_advisory_xact_lock's key for choosing the serving model ("recmod" as a number).
SERVING_LOCK = 0x7265636D6F64


async def serve_model(model_id: int, conn: BaseDBAsyncClient) -> None:
    """Make the model the one served, in the caller's transaction. One choice at a time: two
    publications at once (the nightly training and an operator's) each unset the serving
    model, but the second's statement began before the first's new model was in, so both
    new models were left serving; the second now waits for the first to commit."""
    await sql.execute("SELECT pg_advisory_xact_lock($1)", SERVING_LOCK, conn=conn)
    await sql.execute("UPDATE recommender_models SET current = false WHERE current", conn=conn)
    await sql.execute(
        "UPDATE recommender_models SET current = true WHERE id = $1", model_id, conn=conn
    )


def _save(trained: Trained, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as fh:
        pickle.dump(trained, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


_loaded: dict[str, Trained] = {}


async def serving() -> RecommenderModel | None:
    """The serving model's row: the newest of any marked current (serve_model leaves one)."""
    return await RecommenderModel.filter(current=True).order_by("-id").first()


async def current() -> tuple[RecommenderModel, Trained] | None:
    """The serving model (loaded once per process and version), None before the first or
    when this process cannot read its artefact (then the feed falls back, and says so in
    the log, rather than failing)."""
    row = await serving()
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
        await serve_model(rows[1].id, conn)
    return rows[1]
