"""Measuring a model (pure: no IO): precision@10, recall@10 and AUC of held-out items beside a
popularity baseline, a newer model against the serving one, and cold start from features."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from recommend.model import Trained


@dataclass(frozen=True)
class Metrics:
    precision_at_10: float
    recall_at_10: float
    auc: float
    users: int


def split_per_user(
    triples: list[tuple[str, str, float]], share: float = 0.2, seed: int = 7
) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    """Hold out a share of each user's items (users with at least two) for testing."""
    rng = random.Random(seed)
    by_user: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for t in triples:
        by_user[t[0]].append(t)
    train_set, test_set = [], []
    for rows in by_user.values():
        rows = sorted(rows, key=lambda t: t[1])
        rng.shuffle(rows)
        held = int(len(rows) * share) if len(rows) >= 2 else 0
        held = max(held, 1) if len(rows) >= 2 else 0
        test_set += rows[:held]
        train_set += rows[held:]
    return train_set, test_set


def _rank_metrics(
    scores: np.ndarray, positives: set[int], excluded: set[int], k: int = 10
) -> tuple[float, float, float]:
    """precision@k, recall@k and AUC of one user's scores (vectorised)."""
    if not positives:
        return 0.0, 0.0, 0.5
    mask = np.ones(len(scores), dtype=bool)
    if excluded:
        mask[list(excluded)] = False
    candidates = np.flatnonzero(mask)
    if len(candidates) == 0:
        return 0.0, 0.0, 0.5
    cand_scores = scores[candidates]
    top = candidates[np.argsort(-cand_scores, kind="stable")[:k]]
    positive = np.zeros(len(scores), dtype=bool)
    positive[list(positives)] = True
    hits = int(positive[top].sum())
    pos = np.sort(scores[candidates[positive[candidates]]])
    neg = np.sort(scores[candidates[~positive[candidates]]])
    if len(pos) == 0:
        return hits / k, 0.0, 0.5
    if len(neg) == 0:
        return hits / k, hits / len(positives), 1.0
    # AUC by ranks: for each positive, the negatives below it (ties count half).
    below = np.searchsorted(neg, pos, side="left")
    ties = np.searchsorted(neg, pos, side="right") - below
    auc = float((below + 0.5 * ties).sum() / (len(pos) * len(neg)))
    return hits / k, hits / len(positives), auc


EVALUATED_USERS_MAX = 2000
_BATCH = 256


class Scorer:
    """Ranking metrics of held-out items over a fixed item universe (the items in
    `items`): each user's training items are excluded, their held-out ones are positives.
    Any scorer can be measured on it, so models trained on different data compare on the
    same users and items."""

    def __init__(
        self,
        items: Sequence[str],
        train_set: list[tuple[str, str, float]],
        test_set: list[tuple[str, str, float]],
        *,
        users_max: int = EVALUATED_USERS_MAX,
        users: Collection[str] | None = None,
    ) -> None:
        self.items = list(items)
        position = {item: n for n, item in enumerate(self.items)}
        self.seen: dict[str, set[int]] = defaultdict(set)
        self.popularity = np.zeros(len(self.items))
        for u, i, _w in train_set:
            if i in position:
                self.seen[u].add(position[i])
                self.popularity[position[i]] += 1
        self.wanted: dict[str, set[int]] = defaultdict(set)
        for u, i, _w in test_set:
            if i in position and (users is None or u in users):
                self.wanted[u].add(position[i])
        chosen = sorted(self.wanted)
        if len(chosen) > users_max:  # a fixed sample: enough for stable means
            chosen = sorted(random.Random(0).sample(chosen, users_max))
        self.users = chosen

    def _columns(self, trained: Trained) -> tuple[np.ndarray, np.ndarray]:
        """Where each universe item is in the model's item order (and which it knows)."""
        index = trained.item_index
        known = np.array([i in index for i in self.items], dtype=bool)
        columns = np.array([index.get(i, 0) for i in self.items], dtype=np.int64)
        return columns, known

    def measure(self, trained: Trained) -> Metrics:
        """A model's figures: items it does not know rank last (it cannot recommend them)."""
        columns, known = self._columns(trained)
        item_bias, item_repr = trained.model.get_item_representations(trained.item_features)
        _, user_repr = trained.model.get_user_representations(trained.user_features)
        users = [u for u in self.users if u in trained.user_index]
        rows = []
        for start in range(0, len(users), _BATCH):
            batch = users[start : start + _BATCH]
            positions = np.array([trained.user_index[u] for u in batch])
            scores = (user_repr[positions] @ item_repr.T + item_bias)[:, columns]
            scores[:, ~known] = -np.inf
            for user, row in zip(batch, scores, strict=True):
                rows.append(_rank_metrics(row, self.wanted[user], self.seen[user]))
        return _mean(rows)

    def measure_popularity(self) -> Metrics:
        """The baseline: items ranked by how often they were chosen in training."""
        return _mean(
            [_rank_metrics(self.popularity, self.wanted[u], self.seen[u]) for u in self.users]
        )


def _mean(rows: list[tuple[float, float, float]]) -> Metrics:
    if not rows:
        return Metrics(0.0, 0.0, 0.0, 0)
    p, r, a = (round(float(x), 4) for x in np.array(rows).mean(axis=0))
    return Metrics(p, r, a, users=len(rows))


def evaluate(
    trained: Trained,
    train_set: list[tuple[str, str, float]],
    test_set: list[tuple[str, str, float]],
) -> tuple[Metrics, Metrics]:
    """The model's precision@10, recall@10 and AUC on the held-out items, and the same for a
    popularity baseline (items ranked by how often they were chosen in training)."""
    known = [u for u, _i, _w in test_set if u in trained.user_index]
    scorer = Scorer(trained.item_ids(), train_set, test_set, users=set(known))
    return scorer.measure(trained), scorer.measure_popularity()


def unseen_pairs(
    trained: Trained, triples: list[tuple[str, str, float]]
) -> list[tuple[str, str, float]]:
    """The triples whose (user, item) pair a model was not trained on (all, when it does not
    say what it saw)."""
    if trained.seen is None:
        return triples
    users, items, seen = trained.user_index, trained.item_index, trained.seen
    return [
        t
        for t in triples
        if t[0] not in users or t[1] not in items or not seen[users[t[0]], items[t[1]]]
    ]


@dataclass(frozen=True)
class Comparison:
    """A new model and the serving one on the same held-out pairs (those the serving one
    did not see), over the new model's items: the serving one cannot rank posts it does not
    know."""

    candidate: Metrics
    serving: Metrics


def compare(
    candidate: Trained,
    serving: Trained,
    train_set: list[tuple[str, str, float]],
    test_set: list[tuple[str, str, float]],
) -> Comparison:
    fresh = unseen_pairs(serving, test_set)
    users = {u for u, _i, _w in fresh if u in candidate.user_index and u in serving.user_index}
    scorer = Scorer(candidate.item_ids(), train_set, fresh, users=users)
    return Comparison(candidate=scorer.measure(candidate), serving=scorer.measure(serving))


def cold_start_auc(
    trained: Trained,
    cold_items: dict[str, list[str]],
    cold_triples: list[tuple[str, str, float]],
) -> float:
    """AUC over items never seen in training, scored from their features alone."""
    names = sorted(cold_items)
    if not names:
        return 0.0
    matrix = sparse.vstack([trained.feature_row(cold_items[item]) for item in names]).tocsr()
    item_bias, item_repr = trained.model.get_item_representations(matrix)
    positives: dict[str, set[int]] = defaultdict(set)
    position = {item: i for i, item in enumerate(names)}
    for u, i, _ in cold_triples:
        if u in trained.user_index and i in position:
            positives[u].add(position[i])
    aucs = []
    _, user_repr = trained.model.get_user_representations(trained.user_features)
    for user, wanted in positives.items():
        scores = item_repr @ user_repr[trained.user_index[user]] + item_bias
        aucs.append(_rank_metrics(scores, wanted, set())[2])
    return round(float(np.mean(aucs)), 4) if aucs else 0.0
