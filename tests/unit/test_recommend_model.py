"""The recommender's model, in memory: it beats popularity and scores new posts by topic."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from recommend.model import Interactions, Params, evaluate, split_per_user, train

DUMP = Path(__file__).resolve().parents[3] / "shared" / "data" / "stackexchange-cardano"


def _taste_data(seed: int = 3) -> Interactions:
    """Members who each like one of four topics, and posts tagged with one topic."""
    rng = random.Random(seed)
    items = {f"p{i}": [f"topic:{i % 4}"] for i in range(200)}
    triples = []
    for u in range(120):
        taste = u % 4
        liked = rng.sample([i for i in items if items[i] == [f"topic:{taste}"]], 12)
        triples += [(f"u{u}", i, 2.0) for i in liked]
        triples += [(f"u{u}", rng.choice(list(items)), 1.0)]  # a stray view
    return Interactions(triples, item_features=items)


def test_a_model_of_tastes_beats_popularity_and_scores_new_posts_by_topic() -> None:
    data = _taste_data()
    train_set, test_set = split_per_user(data.triples)
    trained = train(Interactions(train_set, item_features=data.item_features), Params(epochs=30))
    model, baseline = evaluate(trained, train_set, test_set)
    assert model.precision_at_10 > 1.5 * baseline.precision_at_10
    assert model.auc > 0.8 > baseline.auc
    scores = trained.scores_from_features(["topic:2"])
    items = trained.item_ids()
    top = [items[i] for i in scores.argsort()[::-1][:20]]
    assert sum(data.item_features[i] == ["topic:2"] for i in top) >= 15


@pytest.mark.skipif(not DUMP.is_dir(), reason="../shared/data/stackexchange-cardano is not here")
def test_on_the_cardano_dump_the_model_beats_popularity_and_handles_new_questions() -> None:
    from recommend.stackexchange import evaluate_dump

    report = evaluate_dump(DUMP)
    assert report.warm.precision_at_10 >= 1.5 * report.baseline.precision_at_10
    assert report.cold_auc >= 0.6
