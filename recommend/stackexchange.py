"""Offline evaluation on a Stack Exchange dump, read directly: members → questions they
answered (weight 3) or commented on (2), tags as item features, and as member features what
the service would know of them: a level (from their reputation, on the default thresholds)
and the topics of the questions they asked (the dump's nearest thing to followed topics)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from adapters.stackexchange_dump import rows, tags_of
from domain.levels import level_for_points
from domain.topics import TOPIC_NAME_MAX
from recommend.evaluation import Metrics, cold_start_auc, evaluate, split_per_user
from recommend.model import Interactions, Params, train


@dataclass(frozen=True)
class Report:
    interactions: int
    users: int
    items: int
    warm: Metrics
    baseline: Metrics
    cold_auc: float
    epochs: tuple[int, ...] = ()  # chosen by early stopping, one per split


# The community's default level thresholds (settings.level_thresholds), applied to reputation.
LEVEL_THRESHOLDS = (0, 100, 300, 1000, 3000, 10000)


def member_features(directory: Path) -> dict[str, list[str]]:
    """Each member's level and the topics of the questions they asked."""
    features: dict[str, set[str]] = defaultdict(set)
    for user in rows(directory / "Users.xml"):
        level = level_for_points(int(user.get("Reputation", "1")), LEVEL_THRESHOLDS)
        features[f"u{user['Id']}"].add(f"level:{level}")
    for p in rows(directory / "Posts.xml"):
        if p.get("PostTypeId") == "1" and p.get("OwnerUserId"):
            for tag in tags_of(p.get("Tags", ""), max_length=TOPIC_NAME_MAX):
                features[f"u{p['OwnerUserId']}"].add(f"tag:{tag}")
    return {u: sorted(fs) for u, fs in features.items()}


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
        f"q{q}": [f"tag:{t}" for t in tags_of(p.get("Tags", ""), max_length=TOPIC_NAME_MAX)]
        for q, p in questions.items()
    }
    return triples, features


def _average(rows: list[Metrics]) -> Metrics:
    users = sum(m.users for m in rows)
    return Metrics(
        precision_at_10=round(sum(m.precision_at_10 for m in rows) / len(rows), 4),
        recall_at_10=round(sum(m.recall_at_10 for m in rows) / len(rows), 4),
        auc=round(sum(m.auc for m in rows) / len(rows), 4),
        users=users // len(rows),
    )


def evaluate_dump(
    directory: Path,
    params: Params = Params(threads=1),
    cold_share: float = 0.2,
    seeds: tuple[int, ...] = (1, 2, 3),
    *,
    with_member_features: bool = True,
    epochs: int | None = None,
) -> Report:
    """Warm and cold-start metrics, averaged over a few random splits: on a small community a
    single split's precision@10 rests on a handful of hits. One thread keeps it repeatable.
    The number of epochs is chosen by early stopping unless given."""
    triples, item_features = load(directory)
    members = member_features(directory) if with_member_features else {}
    items = sorted(item_features)
    warm_runs, base_runs, colds, chosen = [], [], [], []
    for seed in seeds:
        rng = random.Random(seed)
        cold = set(rng.sample(items, int(len(items) * cold_share)))
        warm_triples = [t for t in triples if t[1] not in cold]
        cold_triples = [t for t in triples if t[1] in cold]
        train_set, test_set = split_per_user(warm_triples, seed=seed)
        warm_features = {i: f for i, f in item_features.items() if i not in cold}
        run_params = replace(params, seed=seed)
        known = {t[0] for t in train_set}
        users = {u: f for u, f in members.items() if u in known}
        data = Interactions(train_set, user_features=users, item_features=warm_features)
        trained = train(data, run_params, epochs=epochs)
        chosen.append(trained.epochs)
        warm, baseline = evaluate(trained, train_set, test_set)
        warm_runs.append(warm)
        base_runs.append(baseline)
        colds.append(cold_start_auc(trained, {i: item_features[i] for i in cold}, cold_triples))
    return Report(
        interactions=len(triples),
        users=len({t[0] for t in triples}),
        items=len(items),
        warm=_average(warm_runs),
        baseline=_average(base_runs),
        cold_auc=round(sum(colds) / len(colds), 4),
        epochs=tuple(chosen),
    )
