"""The HOT score: engagement against age, log-damped, never negative (no IO)."""

from __future__ import annotations

import math

import pytest

from domain.hot import hot_rank


def test_a_post_with_no_engagement_still_has_a_positive_score() -> None:
    assert hot_rank(0, 0) == pytest.approx(math.log10(2) / 2**1.8)
    assert hot_rank(0, 0) > 0


def test_more_engagement_ranks_higher_at_the_same_age() -> None:
    scores = [hot_rank(score, 5) for score in (0, 1, 10, 100, 1000)]
    assert scores == sorted(scores)
    assert len(set(scores)) == len(scores)


def test_the_same_engagement_ranks_lower_as_it_ages() -> None:
    scores = [hot_rank(50, hours) for hours in (0, 1, 6, 24, 24 * 7)]
    assert scores == sorted(scores, reverse=True)


def test_engagement_counts_by_its_order_of_magnitude() -> None:
    # Ten times the engagement is one more step of log10, not ten times the score.
    assert hot_rank(998, 3) / hot_rank(98, 3) == pytest.approx(3 / 2)


def test_a_young_post_with_few_likes_beats_an_old_one_with_a_few_more() -> None:
    assert hot_rank(3, 1) > hot_rank(8, 20)


def test_after_a_day_even_a_million_interactions_rank_below_a_fresh_post() -> None:
    # Age is a power and engagement a logarithm: the front page turns over.
    assert hot_rank(10**6, 24) < hot_rank(5, 0.5)


def test_negative_engagement_is_floored_like_none() -> None:
    assert hot_rank(-10, 2) == hot_rank(0, 2)
