"""Levels from points: each threshold reached is a level (no IO)."""

from __future__ import annotations

import pytest

from domain.levels import DEFAULT_THRESHOLDS, level_for_points


@pytest.mark.parametrize(
    ("points", "level"),
    [(0, 1), (99, 1), (100, 2), (299, 2), (300, 3), (1000, 4), (3000, 5), (10000, 6), (10**9, 6)],
)
def test_levels_follow_the_point_thresholds(points: int, level: int) -> None:
    assert level_for_points(points, DEFAULT_THRESHOLDS) == level


def test_reaching_a_threshold_exactly_is_the_next_level() -> None:
    for level, threshold in enumerate(DEFAULT_THRESHOLDS, start=1):
        assert level_for_points(threshold, DEFAULT_THRESHOLDS) == level
        if threshold:
            assert level_for_points(threshold - 1, DEFAULT_THRESHOLDS) == level - 1


def test_a_negative_balance_is_still_level_one() -> None:
    assert level_for_points(-50, DEFAULT_THRESHOLDS) == 1


def test_a_community_with_its_own_thresholds_gets_its_own_levels() -> None:
    thresholds = (0, 10, 20)
    assert [level_for_points(p, thresholds) for p in (0, 9, 10, 19, 20, 10**6)] == [
        1,
        1,
        2,
        2,
        3,
        3,
    ]
