"""The alert rules as pure functions: counts in, a finding or none out."""

from __future__ import annotations

import math
from datetime import date

import pytest

from domain import detectors
from domain.detectors import RuleSetting, poisson_tail
from domain.models import AlertKind, AlertSeverity


def rule(kind: AlertKind, **changes: object) -> RuleSetting:
    default = RuleSetting.default(kind)
    return RuleSetting(
        kind,
        bool(changes.get("enabled", True)),
        changes.get("threshold", default.threshold),  # type: ignore[arg-type]
        changes.get("minimum", default.minimum),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("k", "mean", "expected"),
    [
        (0, 3.0, 1.0),
        (1, 0.0, 0.0),
        (1, 1.0, 1 - math.exp(-1)),
        (3, 2.0, 1 - math.exp(-2) * (1 + 2 + 2)),
        (10, 2.0, 4.649807502e-05),  # scipy.stats.poisson.sf(9, 2), and so on
        (25, 2.1, 9.755985592e-19),  # far in the tail: no cancellation
        (80, 100.0, 0.9825486775),  # below the mean: the upper tail is most of the mass
    ],
)
def test_the_poisson_tail_is_the_chance_of_at_least_k(k: int, mean: float, expected: float) -> None:
    assert poisson_tail(k, mean) == pytest.approx(expected, rel=1e-6)


def test_the_poisson_tail_agrees_with_scipy_over_a_grid() -> None:
    stats = pytest.importorskip("scipy.stats")
    for mean in (0.1, 0.5, 1.0, 2.7, 9.0, 40.0, 250.0):
        for k in (1, 2, 5, 10, 20, 50, 100, 300, 600):
            assert poisson_tail(k, mean) == pytest.approx(
                float(stats.poisson.sf(k - 1, mean)), rel=1e-6, abs=1e-300
            ), (k, mean)


def test_a_report_spike_needs_a_tiny_tail_and_the_minimum() -> None:
    quiet_hours = [2, 1, 3, 2, 2, 1, 2, 3, 2, 2, 1, 2, 3, 2]  # about 2 an hour
    spike = detectors.report_spike(rule(AlertKind.REPORT_SPIKE), 12, quiet_hours)
    assert spike is not None
    assert (spike.value, spike.baseline, spike.severity) == (12, 2.0, AlertSeverity.CRITICAL)
    assert spike.detail["p"] < 1e-5 and spike.detail["minutes"] == 60
    # Usual for the hour, or rare but under the minimum: quiet.
    assert detectors.report_spike(rule(AlertKind.REPORT_SPIKE), 4, quiet_hours) is None
    assert detectors.report_spike(rule(AlertKind.REPORT_SPIKE), 9, [0] * 14) is None
    # A busy hour of the day makes 12 ordinary.
    busy = [10, 11, 9, 12, 10, 10, 11, 9, 10, 12, 10, 11, 10, 9]
    assert detectors.report_spike(rule(AlertKind.REPORT_SPIKE), 12, busy) is None
    # A looser p-value threshold and a lower minimum speak earlier.
    loose = rule(AlertKind.REPORT_SPIKE, threshold=0.05, minimum=3)
    assert detectors.report_spike(loose, 6, quiet_hours) is not None


def test_a_dau_drop_compares_a_closed_day_with_its_weekday_over_four_weeks() -> None:
    monday = date(2026, 3, 2)
    drop = detectors.dau_drop(rule(AlertKind.DAU_DROP), monday, 60, [100, 110, 90, 100])
    assert drop is not None and (drop.value, drop.baseline) == (60, 100.0)
    assert drop.detail == {"day": "2026-03-02", "ratio": 0.6}
    assert detectors.dau_drop(rule(AlertKind.DAU_DROP), monday, 70, [100] * 4) is None
    # A small community stays quiet: its baseline is under the minimum.
    assert detectors.dau_drop(rule(AlertKind.DAU_DROP), monday, 2, [15, 19, 18, 17]) is None


def test_a_signup_spike_needs_a_multiple_of_the_median_and_a_falling_first_post_rate() -> None:
    usual = [10, 12, 8, 10, 11, 9, 10, 10, 12, 8, 10, 11, 9, 10]  # median 10, half post
    kind = AlertKind.SIGNUP_SPIKE
    spike = detectors.signup_spike(rule(kind), 40, 2, usual, sum(usual) // 2)
    assert spike is not None and (spike.value, spike.baseline) == (40, 10.0)
    assert spike.detail == {"rate": 0.05, "usualRate": 0.5}
    # As many new members who post as usual: a good day, not a bot wave.
    assert detectors.signup_spike(rule(kind), 40, 24, usual, sum(usual) // 2) is None
    assert detectors.signup_spike(rule(kind), 30, 0, usual, 70) is None  # 3 × median, not above
    assert detectors.signup_spike(rule(kind, minimum=50), 40, 0, usual, 70) is None


def test_backlogs_alert_from_their_minimum() -> None:
    review = detectors.backlog(rule(AlertKind.REVIEW_BACKLOG), 3, 5.25, "FIRST")
    assert review is not None and review.detail == {"hours": 5.2, "stage": "FIRST"}
    assert review.baseline is None and review.severity == AlertSeverity.WARNING
    assert detectors.backlog(rule(AlertKind.REVIEW_BACKLOG), 0, 0.0) is None
    assert detectors.backlog(rule(AlertKind.FEEDBACK_BACKLOG, minimum=5), 4, 30.0) is None
    assert detectors.backlog(rule(AlertKind.FEEDBACK_BACKLOG, minimum=5), 5, 30.0) is not None


def test_complaints_spike_above_a_multiple_of_their_median() -> None:
    kind = AlertKind.NEGATIVE_FEEDBACK_SPIKE
    earlier = [1, 2, 1, 0, 2, 1, 1, 2, 1, 1, 0, 2, 1, 1]  # median 1
    spike = detectors.negative_feedback_spike(rule(kind), 6, earlier)
    assert spike is not None and (spike.value, spike.baseline) == (6, 1.0)
    assert detectors.negative_feedback_spike(rule(kind), 3, earlier) is None  # not above 3×
    assert detectors.negative_feedback_spike(rule(kind), 4, [0] * 14) is None  # under 5
    assert detectors.negative_feedback_spike(rule(kind), 5, [0] * 14) is not None


def test_every_rule_has_its_defaults_window_and_severity() -> None:
    defaults = {k: (r.threshold, r.minimum) for k in AlertKind if (r := RuleSetting.default(k))}
    assert defaults == {
        AlertKind.REPORT_SPIKE: (0.001, 10),
        AlertKind.DAU_DROP: (0.7, 20),
        AlertKind.SIGNUP_SPIKE: (3.0, 20),
        AlertKind.REVIEW_BACKLOG: (None, 1),
        AlertKind.FEEDBACK_BACKLOG: (None, 1),
        AlertKind.NEGATIVE_FEEDBACK_SPIKE: (3.0, 5),
    }
    assert RuleSetting.default(AlertKind.REPORT_SPIKE).window_minutes == 60
    assert RuleSetting.default(AlertKind.REVIEW_BACKLOG).window_minutes is None
    assert set(detectors.SEVERITY) == set(AlertKind)
