"""Offline evaluation on a Stack Exchange dump, read directly: members → questions they
answered (weight 3) or commented on (2), tags as item features."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from quanzi.domain.importer import rows, tags_of
from quanzi.recommend.model import (
    Interactions,
    Metrics,
    Params,
    cold_start_auc,
    evaluate,
    split_per_user,
    train,
)


@dataclass(frozen=True)
class Report:
    interactions: int
    users: int
    items: int
    warm: Metrics
    baseline: Metrics
    cold_auc: float


def load(directory: Path) -> tuple[list[tuple[str, str, float]], dict[str, list[str]]]:
    posts = rows(directory / "Posts.xml")
    comments = rows(directory / "Comments.xml")
    questions = {p["Id"]: p for p in posts if p.get("PostTypeId") == "1"}
    parent = {p["Id"]: p.get("ParentId") for p in posts if p.get("PostTypeId") == "2"}
    weights: dict[tuple[str, str], float] = {}
    for p in posts:
        if p.get("PostTypeId") == "2" and p.get("ParentId") in questions and p.get("OwnerUserId"):
            key = (p["OwnerUserId"], p["ParentId"])
            weights[key] = weights.get(key, 0) + 3
    for c in comments:
        target = c.get("PostId", "")
        question = target if target in questions else parent.get(target)
        if question in questions and c.get("UserId"):
            key = (c["UserId"], question)
            weights[key] = weights.get(key, 0) + 2
    triples = [(f"u{u}", f"q{q}", w) for (u, q), w in weights.items()]
    features = {
        f"q{q}": [f"tag:{t}" for t in tags_of(p.get("Tags", ""))] for q, p in questions.items()
    }
    return triples, features


def evaluate_dump(directory: Path, params: Params = Params(), cold_share: float = 0.2) -> Report:
    triples, item_features = load(directory)
    rng = random.Random(params.seed)
    items = sorted(item_features)
    cold = set(rng.sample(items, int(len(items) * cold_share)))
    warm_triples = [t for t in triples if t[1] not in cold]
    cold_triples = [t for t in triples if t[1] in cold]
    train_set, test_set = split_per_user(warm_triples, seed=params.seed)
    warm_features = {i: f for i, f in item_features.items() if i not in cold}
    trained = train(Interactions(train_set, item_features=warm_features), params)
    warm, baseline = evaluate(trained, train_set, test_set)
    cold_auc = cold_start_auc(trained, {i: item_features[i] for i in cold}, cold_triples)
    return Report(
        interactions=len(triples),
        users=len({t[0] for t in triples}),
        items=len(items),
        warm=warm,
        baseline=baseline,
        cold_auc=cold_auc,
    )
