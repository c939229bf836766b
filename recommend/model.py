"""Training a hybrid LightFM model on weighted implicit feedback (pure: no IO; measuring it is
recommend/evaluation.py's).

Users and items are described by their ids plus features (topics, circles, level for users;
topics, circle, kind, author for items), so members and posts the model has not seen still get
a representation from their features."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from lightfm import LightFM
from lightfm.data import Dataset
from scipy import sparse

from recommend.evaluation import Metrics, Scorer, split_per_user


@dataclass(frozen=True)
class Params:
    components: int = 32
    epochs: int = 50  # at most: early stopping on a validation split chooses how many
    learning_rate: float = 0.05
    loss: str = "warp"
    item_alpha: float = 1e-6
    user_alpha: float = 1e-6
    threads: int = 2
    seed: int = 7
    # Beside their own identity (weight 1), a member's features share this weight (a member
    # with 12 follows: 1/12 each), so following more does not dilute who they are. None:
    # LightFM's row normalisation, identity and features together (1/13 each).
    user_feature_weight: float | None = 1.0
    # The same for a post's features (topics, circle, kind, author).
    item_feature_weight: float | None = None
    # Early stopping: a share of each member's training items is held out to choose the
    # number of epochs; training stops once `patience` epochs in a row have not raised the
    # held-out AUC by `min_delta` (AUC, not precision@10: on a small community a handful of
    # hits decides precision, and it jumps from epoch to epoch).
    validation_share: float = 0.2
    patience: int = 10
    min_delta: float = 0.0005


@dataclass
class Interactions:
    """(user, item, weight) triples plus features, in the model's own id spaces."""

    triples: list[tuple[str, str, float]]
    user_features: dict[str, list[str]] = field(default_factory=dict)
    item_features: dict[str, list[str]] = field(default_factory=dict)

    @property
    def users(self) -> list[str]:
        return sorted({u for u, _, _ in self.triples} | set(self.user_features))

    @property
    def items(self) -> list[str]:
        return sorted({i for _, i, _ in self.triples} | set(self.item_features))


@dataclass
class Trained:
    model: LightFM
    dataset: Dataset
    user_features: sparse.csr_matrix
    item_features: sparse.csr_matrix
    epochs: int = 0  # how many it was trained for
    feature_weight: float | None = None  # how its item features were weighted (Params)
    # (user, item) pairs it was trained on, row and column in its own index spaces; a
    # newer model is compared with it only on pairs it has not seen.
    seen: sparse.csr_matrix | None = None

    @property
    def user_index(self) -> dict[str, int]:
        return self.dataset.mapping()[0]

    @property
    def item_index(self) -> dict[str, int]:
        return self.dataset.mapping()[2]

    def item_ids(self) -> list[str]:
        index = self.item_index
        ordered = [""] * len(index)
        for item, i in index.items():
            ordered[i] = item
        return ordered

    def feature_row(self, features: Sequence[str]) -> sparse.csr_matrix:
        """One row of item features for a post the model has not seen, weighted the way
        its training rows were (without an identity)."""
        mapping = self.dataset.mapping()[3]
        columns = sorted({mapping[f] for f in features if f in mapping})
        count = len(columns)
        # Trained with LightFM's normalisation, its rows summed to 1: so does this one.
        normalised = self.feature_weight is None and count > 0
        weight = 1.0 / count if normalised else _weights(count, self.feature_weight)
        return sparse.csr_matrix(
            ([weight] * count, ([0] * len(columns), columns)), shape=(1, len(mapping))
        )

    def scores_for(self, user: str) -> np.ndarray:
        """Scores of every item for a known user (row order of item_ids())."""
        uid = self.user_index[user]
        n_items = len(self.item_index)
        return self.model.predict(
            np.full(n_items, uid, dtype=np.int32),
            np.arange(n_items, dtype=np.int32),
            user_features=self.user_features,
            item_features=self.item_features,
        )

    def scores_from_features(self, features: Sequence[str]) -> np.ndarray:
        """Scores of every item for someone the model has not seen, from what they follow
        (topics, circles): the items carrying those features stand for their taste, and
        every item is scored by its closeness to them."""
        item_feature_map = self.dataset.mapping()[3]
        columns = [item_feature_map[f] for f in features if f in item_feature_map]
        if not columns:
            return np.zeros(len(self.item_index))
        matching = np.flatnonzero(self.item_features[:, columns].sum(axis=1).A1 > 0)
        item_bias, item_repr = self.model.get_item_representations(self.item_features)
        if len(matching) == 0:
            return np.zeros(len(self.item_index))
        taste = item_repr[matching].mean(axis=0)
        return item_repr @ taste + item_bias


def _weights(count: int, feature_weight: float | None) -> float:
    """The weight of each of `count` features of one row beside an identity of weight 1:
    they share `feature_weight`; with None each weighs 1 and LightFM normalises the row
    (identity included) to sum to 1."""
    if count == 0:
        return 0.0
    return 1.0 if feature_weight is None else feature_weight / count


def _features(
    mapping: dict[str, list[str]], keys: Iterable[str], feature_weight: float | None
) -> list[tuple[str, dict[str, float]]]:
    rows = []
    for key in keys:
        names = sorted(set(mapping.get(key, [])))
        rows.append((key, dict.fromkeys(names, _weights(len(names), feature_weight))))
    return rows


def train(
    data: Interactions,
    params: Params = Params(),
    *,
    item_identity: bool = True,
    epochs: int | None = None,
) -> Trained:
    """Fit a model; the number of epochs is chosen by early stopping (see choose_epochs)
    unless given."""
    if epochs is None:
        epochs = choose_epochs(data, params, item_identity=item_identity)[0]
    trained = _prepare(data, params, item_identity=item_identity)
    interactions, weights = trained.dataset.build_interactions(data.triples)
    trained.model.fit(
        interactions,
        user_features=trained.user_features,
        item_features=trained.item_features,
        sample_weight=weights,
        epochs=epochs,
        num_threads=params.threads,
    )
    trained.epochs = epochs
    trained.seen = interactions.tocsr()
    return trained


def _prepare(data: Interactions, params: Params, *, item_identity: bool) -> Trained:
    """A dataset with its feature matrices and an untrained model."""
    dataset = Dataset(item_identity_features=item_identity)
    all_user_features = {f for fs in data.user_features.values() for f in fs}
    all_item_features = {f for fs in data.item_features.values() for f in fs}
    dataset.fit(
        data.users,
        data.items,
        user_features=sorted(all_user_features),
        item_features=sorted(all_item_features),
    )
    user_weight, item_weight = params.user_feature_weight, params.item_feature_weight
    user_features = dataset.build_user_features(
        _features(data.user_features, data.users, user_weight), normalize=user_weight is None
    )
    item_features = dataset.build_item_features(
        _features(data.item_features, data.items, item_weight), normalize=item_weight is None
    )
    model = LightFM(
        no_components=params.components,
        learning_rate=params.learning_rate,
        loss=params.loss,
        item_alpha=params.item_alpha,
        user_alpha=params.user_alpha,
        random_state=np.random.RandomState(params.seed),
    )
    return Trained(model, dataset, user_features, item_features, feature_weight=item_weight)


VALIDATION_USERS_MAX = 500


def choose_epochs(
    data: Interactions, params: Params, *, item_identity: bool = True
) -> tuple[int, list[Metrics]]:
    """The number of epochs (at most params.epochs) after which a model trained without a
    validation share of each member's items ranks them best (by AUC), and the validation
    figures after each epoch run. Deterministic for a given seed (with one thread)."""
    fit_set, validation = split_per_user(
        data.triples, share=params.validation_share, seed=params.seed + 1
    )
    if not validation:
        return params.epochs, []
    trained = _prepare(
        Interactions(fit_set, data.user_features, data.item_features),
        params,
        item_identity=item_identity,
    )
    interactions, weights = trained.dataset.build_interactions(fit_set)
    scorer = Scorer(trained.item_ids(), fit_set, validation, users_max=VALIDATION_USERS_MAX)
    best, best_epoch = -1.0, 1
    reference, reference_epoch = -1.0, 0  # the last improvement by at least min_delta
    curve: list[Metrics] = []
    for epoch in range(1, params.epochs + 1):
        trained.model.fit_partial(
            interactions,
            user_features=trained.user_features,
            item_features=trained.item_features,
            sample_weight=weights,
            epochs=1,
            num_threads=params.threads,
        )
        measured = scorer.measure(trained)
        curve.append(measured)
        if measured.auc > best:
            best, best_epoch = measured.auc, epoch
        if measured.auc >= reference + params.min_delta:
            reference, reference_epoch = measured.auc, epoch
        elif epoch - reference_epoch >= params.patience:
            break
    return best_epoch, curve
