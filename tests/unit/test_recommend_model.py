"""The recommender's model, in memory: it beats popularity and scores new posts by topic."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from recommend.evaluation import Comparison, compare, evaluate, split_per_user, unseen_pairs
from recommend.model import Interactions, Params, choose_epochs, train
from recommend.registry import promotes

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


def test_a_members_identity_keeps_its_full_weight_beside_many_follows() -> None:
    follows = [f"topic:{n}" for n in range(12)]
    data = Interactions(
        [("u1", "p1", 1.0), ("u2", "p2", 1.0)],
        user_features={"u1": follows, "u2": []},
        item_features={"p1": ["topic:0"], "p2": ["topic:1"]},
    )
    trained = train(data, Params(threads=1), epochs=1)
    row = trained.user_features[trained.user_index["u1"]]
    mapping = trained.dataset.mapping()[1]
    assert row[0, mapping["u1"]] == 1.0
    assert row[0, mapping["topic:3"]] == pytest.approx(1 / 12)
    assert trained.user_features[trained.user_index["u2"], mapping["u2"]] == 1.0
    # LightFM's own row normalisation (what it was): identity and follows at 1/13 each.
    before = train(data, Params(threads=1, user_feature_weight=None), epochs=1)
    assert before.user_features[before.user_index["u1"], mapping["u1"]] == pytest.approx(1 / 13)
    # Posts keep LightFM's normalisation (it measured better on the Cardano dump), and a new
    # post's feature row sums to what a trained post's features did.
    assert trained.item_features[trained.item_index["p1"]].sum() == pytest.approx(1.0)
    assert trained.feature_row(["topic:0", "topic:1"]).sum() == pytest.approx(1.0)


def test_early_stopping_chooses_fewer_epochs_than_allowed_and_repeats_itself() -> None:
    data = _taste_data()
    params = Params(epochs=80, threads=1)
    epochs, curve = choose_epochs(data, params)
    assert 1 <= epochs < 80 and len(curve) < 80
    assert max(m.auc for m in curve) == curve[epochs - 1].auc
    assert choose_epochs(data, params) == (epochs, curve)
    trained = train(data, params)
    assert trained.epochs == epochs


def test_a_newer_model_is_compared_with_the_serving_one_on_pairs_it_had_not_seen() -> None:
    data = _taste_data()
    train_set, test_set = split_per_user(data.triples)
    features = data.item_features
    good = train(Interactions(train_set, item_features=features), Params(threads=1), epochs=30)
    trained_on = {(u, i) for u, i, _ in train_set}  # (a stray view may repeat a like)
    assert unseen_pairs(good, test_set) == [t for t in test_set if t[:2] not in trained_on]
    assert unseen_pairs(good, train_set) == []
    # A serving model that saw the held-out pairs would look better than it is: they are
    # left out of the comparison, and with them all there is to compare.
    knows_all = train(data, Params(threads=1), epochs=30)
    assert compare(good, knows_all, train_set, test_set).serving.users == 0
    # A serving model of tastes that no longer hold: each member's likes went elsewhere.
    items = sorted(features)
    moved = dict(zip(items, random.Random(1).sample(items, len(items)), strict=True))
    stale = [(u, moved[i], w) for u, i, w in train_set]
    weak = train(Interactions(stale, item_features=features), Params(threads=1), epochs=30)
    comparison = compare(good, weak, train_set, test_set)
    assert comparison.candidate.users == comparison.serving.users > 100
    assert comparison.candidate.precision_at_10 > comparison.serving.precision_at_10
    measured, baseline = evaluate(good, train_set, test_set)
    assert promotes(measured, baseline, comparison)
    assert not promotes(measured, baseline, Comparison(comparison.serving, comparison.candidate))
    assert promotes(measured, baseline, Comparison(comparison.candidate, comparison.candidate))
    assert not promotes(baseline, measured, None)
