"""Member levels from points (L1 0, L2 100, L3 300, L4 1000, L5 3000, L6 10000)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

DEFAULT_THRESHOLDS: tuple[int, ...] = (0, 100, 300, 1000, 3000, 10000)


def level_for_points(points: int, thresholds: Sequence[int] | None = None) -> int:
    """The level a balance of points reaches: 1 for anything below the second threshold.
    Without thresholds, the community's (settings) are used."""
    if thresholds is None:
        from domain.points import rules

        thresholds = rules().level_thresholds
    return max(1, bisect_right(thresholds, points))
