"""Member levels from points: level N is reached at the N-th threshold (the community's
thresholds are settings, carried by `CommunityRules`)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence


def level_for_points(points: int, thresholds: Sequence[int]) -> int:
    """The level a balance of points reaches: 1 for anything below the second threshold."""
    return max(1, bisect_right(thresholds, points))
