"""Retention scoring: each member's segment, churn risk and reason from their active days
(no IO: `retention.score` is the pure rule the nightly job applies to every member)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.models import Segment
from domain.retention import score

ON = date(2026, 6, 30)
LONG_AGO = date(2026, 1, 1)


def days_ago(n: int) -> date:
    return ON - timedelta(days=n)


def test_segments_follow_their_definitions() -> None:
    on = date(2026, 6, 30)
    assert score(on - timedelta(days=2), None, 0, 0, 0, on)[0] is Segment.NEW
    assert score(date(2026, 1, 1), on, 20, 10, 10, on)[0] is Segment.ACTIVE
    assert score(date(2026, 1, 1), on - timedelta(days=5), 3, 1, 2, on)[0] is Segment.CASUAL
    dormant = score(date(2026, 1, 1), on - timedelta(days=20), 0, 0, 2, on)
    assert dormant[0] is Segment.DORMANT and dormant[1] > 0.5 and "20 天未活跃" in dormant[2]
    assert score(date(2026, 1, 1), on - timedelta(days=90), 0, 0, 0, on)[0] is Segment.CHURNED
    steady = score(date(2026, 1, 1), on, 20, 10, 10, on)[1]
    fading = score(date(2026, 1, 1), on - timedelta(days=6), 5, 1, 6, on)[1]
    assert fading > steady


def test_a_member_is_new_for_their_first_seven_days_and_not_scored() -> None:
    assert score(days_ago(6), None, 0, 0, 0, ON) == (Segment.NEW, 0.0, "新成员")
    assert score(days_ago(6), days_ago(6), 1, 1, 0, ON)[:2] == (Segment.NEW, 0.0)
    assert score(days_ago(7), days_ago(1), 1, 1, 0, ON)[0] is not Segment.NEW


def test_a_member_never_active_is_dormant_until_sixty_days_then_churned() -> None:
    assert score(days_ago(7), None, 0, 0, 0, ON) == (Segment.DORMANT, 0.8, "注册后从未活跃")
    assert score(days_ago(60), None, 0, 0, 0, ON)[:2] == (Segment.DORMANT, 0.8)
    assert score(days_ago(61), None, 0, 0, 0, ON)[:2] == (Segment.CHURNED, 1.0)


def test_sixty_idle_days_are_dormant_and_sixty_one_are_churned_at_full_risk() -> None:
    assert score(LONG_AGO, days_ago(60), 0, 0, 0, ON)[0] is Segment.DORMANT
    assert score(LONG_AGO, days_ago(61), 0, 0, 0, ON) == (Segment.CHURNED, 1.0, "已 61 天未活跃")


def test_fifteen_idle_days_make_a_member_dormant_and_fourteen_casual() -> None:
    assert score(LONG_AGO, days_ago(15), 20, 0, 10, ON)[0] is Segment.DORMANT
    assert score(LONG_AGO, days_ago(14), 20, 0, 10, ON)[0] is Segment.CASUAL


def test_active_needs_eight_days_in_thirty_and_a_visit_within_three() -> None:
    assert score(LONG_AGO, days_ago(3), 8, 4, 4, ON)[0] is Segment.ACTIVE
    assert score(LONG_AGO, days_ago(3), 7, 4, 4, ON)[0] is Segment.CASUAL
    assert score(LONG_AGO, days_ago(4), 20, 10, 10, ON)[0] is Segment.CASUAL


def test_risk_weighs_recency_infrequency_and_decline() -> None:
    # Idle 7 of 14 days (0.5), active 5 of 10 days (0.5), half as active as the fortnight
    # before (0.5): 0.5 × 0.5 + 0.3 × 0.5 + 0.2 × 0.5.
    segment, risk, _ = score(LONG_AGO, days_ago(7), 5, 2, 4, ON)
    assert segment is Segment.CASUAL
    assert risk == pytest.approx(0.5)


def test_a_daily_member_with_steady_weeks_has_no_risk_and_says_so() -> None:
    assert score(LONG_AGO, ON, 30, 14, 14, ON) == (Segment.ACTIVE, 0.0, "活跃稳定")


def test_more_activity_in_the_last_fortnight_is_no_decline() -> None:
    rising = score(LONG_AGO, ON, 12, 10, 2, ON)
    assert rising[1] == 0.0
    assert "少" not in rising[2]


def test_risk_rises_the_longer_a_member_stays_away() -> None:
    risks = [score(LONG_AGO, days_ago(idle), 4, 2, 2, ON)[1] for idle in (0, 3, 7, 14, 30)]
    assert risks == sorted(risks)
    assert all(0.0 <= r <= 1.0 for r in risks)


def test_the_reason_names_each_sign_of_slipping_away() -> None:
    _, _, reason = score(LONG_AGO, days_ago(5), 2, 1, 4, ON)
    assert reason.split("；") == [
        "已 5 天未活跃",
        "近两周活跃天数比前两周少 75%",
        "近 30 天仅活跃 2 天",
    ]
