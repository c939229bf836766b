"""The community calendar and rules: pure, no IO."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime

import pytest

from domain.calendar import Calendar
from domain.models import PointsReason
from quanzi.bootstrap import community_rules
from quanzi.settings import ConfigError, Settings, load_settings

SHANGHAI = Calendar("Asia/Shanghai")


def test_a_community_day_turns_at_midnight_in_its_time_zone() -> None:
    assert SHANGHAI.today(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert SHANGHAI.today(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert Calendar("UTC").today(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 1)


def test_the_bounds_of_a_range_of_days_are_community_midnights_in_utc() -> None:
    start, end = SHANGHAI.bounds(date(2026, 3, 1), date(2026, 3, 2))
    assert start == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def test_the_rules_come_from_settings_and_cannot_be_changed_in_place() -> None:
    rules = community_rules(Settings(points_post=7, community_timezone="Europe/Paris"))
    assert rules.post == 7 and rules.calendar == Calendar("Europe/Paris")
    with pytest.raises(FrozenInstanceError):
        rules.post = 8  # type: ignore[misc]
    assert replace(rules, post=8).post == 8


def test_comments_and_answers_share_one_daily_cap() -> None:
    rules = community_rules(Settings(points_reply_daily=3))
    assert rules.daily_cap(PointsReason.COMMENT) == rules.daily_cap(PointsReason.ANSWER)
    assert rules.daily_cap(PointsReason.COMMENT)[0] == 3  # type: ignore[index]
    assert rules.daily_cap(PointsReason.FEATURED) is None


def test_settings_refuse_an_unknown_time_zone_and_falling_level_thresholds() -> None:
    with pytest.raises(ConfigError, match="unknown time zone"):
        load_settings(community_timezone="Mars/Olympus", jwt_secret="x" * 40)
    with pytest.raises(ConfigError, match="level thresholds"):
        load_settings(level_thresholds=[0, 300, 100], jwt_secret="x" * 40)
