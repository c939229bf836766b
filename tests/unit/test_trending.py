"""Trending heat: velocity smooths and caps how fast a topic grows (no IO)."""

from __future__ import annotations

import pytest

from domain.trending import SMOOTHING, VELOCITY_MAX, VELOCITY_MIN, TopicHeat, velocity


def test_a_topic_as_busy_as_usual_keeps_a_velocity_of_one() -> None:
    assert velocity(40.0, 40.0) == 1.0
    assert velocity(0.0, 0.0) == 1.0


def test_a_sudden_burst_is_capped_at_three_times() -> None:
    assert velocity(500.0, 0.0) == VELOCITY_MAX == 3.0


def test_a_topic_going_quiet_is_floored_at_half() -> None:
    assert velocity(0.0, 500.0) == VELOCITY_MIN == 0.5


def test_smoothing_keeps_a_first_small_burst_from_jumping_to_the_cap() -> None:
    # Two events from nothing: (2 + 5) / (0 + 5), not infinity.
    assert velocity(2.0, 0.0) == pytest.approx((2 + SMOOTHING) / SMOOTHING)
    assert velocity(2.0, 0.0) < VELOCITY_MAX


def test_velocity_grows_with_recent_activity_between_its_bounds() -> None:
    factors = [velocity(recent, 10.0) for recent in (0.0, 5.0, 10.0, 20.0, 30.0)]
    assert factors == sorted(factors)
    assert all(VELOCITY_MIN <= f <= VELOCITY_MAX for f in factors)


def test_a_topics_score_is_its_heat_times_its_velocity_to_four_places() -> None:
    assert TopicHeat(topic_id=1, heat=12.345678, velocity=2.0).score == 24.6914


def test_a_spike_outscores_a_bigger_but_steady_topic() -> None:
    giant = TopicHeat(1, heat=60.0, velocity=velocity(50.0, 50.0))
    spike = TopicHeat(2, heat=30.0, velocity=velocity(30.0, 0.0))
    assert giant.heat > spike.heat
    assert spike.score > giant.score
