"""The alert rules as pure functions: each takes the counts a detector read (alert_checks.py)
and the rule's setting, and answers a Finding when its condition holds, None when it does not.
No IO here: the rules read the same in a job, a test or a notebook.

REPORT_SPIKE: reports in the last 60 minutes against the same hour of each of the last 14
  days; a one-sided Poisson tail P(X ≥ reports | mean of those hours) below `threshold`
  (0.001), and at least `minimum` reports (10).
DAU_DROP: a closed day's DAU below `threshold` (0.7) × the mean DAU of the same weekday over
  the 4 weeks before, unless that mean is below `minimum` (20).
SIGNUP_SPIKE: today's new members above `threshold` (3) × the median of the 14 days before,
  at least `minimum` (20), while the share of them who posted on their first day falls
  below that of the 14 days' new members (mass registration: accounts that do not post).
REVIEW_BACKLOG: at least `minimum` (1) open review tasks past their stage's SLA.
FEEDBACK_BACKLOG: at least `minimum` (1) tickets without a reply past the first-reply SLA.
NEGATIVE_FEEDBACK_SPIKE: today's COMPLAINT tickets above `threshold` (3) × the median of the
  14 days before, and at least `minimum` (5).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.models import AlertKind, AlertSeverity

# Defaults (threshold, minimum); None: the rule has no threshold.
DEFAULTS: dict[AlertKind, tuple[float | None, int]] = {
    AlertKind.REPORT_SPIKE: (0.001, 10),
    AlertKind.DAU_DROP: (0.7, 20),
    AlertKind.SIGNUP_SPIKE: (3.0, 20),
    AlertKind.REVIEW_BACKLOG: (None, 1),
    AlertKind.FEEDBACK_BACKLOG: (None, 1),
    AlertKind.NEGATIVE_FEEDBACK_SPIKE: (3.0, 5),
}
# The thresholds an operator may set: (lowest, highest, whether the lowest itself is allowed).
THRESHOLD_RANGES: dict[AlertKind, tuple[float, float, bool]] = {
    AlertKind.REPORT_SPIKE: (0.0, 0.5, False),  # a p-value
    AlertKind.DAU_DROP: (0.0, 1.0, False),  # a ratio of the baseline
    AlertKind.SIGNUP_SPIKE: (1.0, 100.0, True),  # a multiple of the median
    AlertKind.NEGATIVE_FEEDBACK_SPIKE: (1.0, 100.0, True),
}
MINIMUM_MAX = 1_000_000
# How far back each rule counts, in minutes (read-only); None: the queue as it is now.
WINDOW_MINUTES: dict[AlertKind, int | None] = {
    AlertKind.REPORT_SPIKE: 60,
    AlertKind.DAU_DROP: 24 * 60,
    AlertKind.SIGNUP_SPIKE: 24 * 60,
    AlertKind.REVIEW_BACKLOG: None,
    AlertKind.FEEDBACK_BACKLOG: None,
    AlertKind.NEGATIVE_FEEDBACK_SPIKE: 24 * 60,
}
SEVERITY: dict[AlertKind, AlertSeverity] = {
    AlertKind.REPORT_SPIKE: AlertSeverity.CRITICAL,
    AlertKind.DAU_DROP: AlertSeverity.WARNING,
    AlertKind.SIGNUP_SPIKE: AlertSeverity.WARNING,
    AlertKind.REVIEW_BACKLOG: AlertSeverity.WARNING,
    AlertKind.FEEDBACK_BACKLOG: AlertSeverity.INFO,
    AlertKind.NEGATIVE_FEEDBACK_SPIKE: AlertSeverity.WARNING,
}
BASELINE_DAYS = 14
DAU_WEEKS = 4


@dataclass(frozen=True)
class RuleSetting:
    kind: AlertKind
    enabled: bool
    threshold: float | None
    minimum: int

    @property
    def window_minutes(self) -> int | None:
        return WINDOW_MINUTES[self.kind]

    @classmethod
    def default(cls, kind: AlertKind) -> RuleSetting:
        threshold, minimum = DEFAULTS[kind]
        return cls(kind, True, threshold, minimum)


@dataclass(frozen=True)
class Finding:
    kind: AlertKind
    value: float
    baseline: float | None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> AlertSeverity:
        return SEVERITY[self.kind]


def poisson_tail(k: int, mean: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mean): the chance of at least k events when `mean` are
    expected. Summed in log space, from whichever side converges without cancellation."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    log_mean = math.log(mean)

    def log_term(i: int) -> float:
        return -mean + i * log_mean - math.lgamma(i + 1)

    if k <= mean:
        # The upper tail is large: 1 − P(X < k), the lower sum has k terms.
        below = math.fsum(math.exp(log_term(i)) for i in range(k))
        return min(1.0, max(0.0, 1.0 - below))
    # Terms fall from k on (k > mean): add until they no longer change the sum.
    first = log_term(k)
    total, i, ratio = 0.0, k, 1.0
    while ratio > 1e-17 and i < k + 100_000:
        ratio = math.exp(log_term(i) - first)
        total += ratio
        i += 1
    return min(1.0, math.exp(first) * total)


def _threshold(rule: RuleSetting) -> float:
    value = rule.threshold if rule.threshold is not None else DEFAULTS[rule.kind][0]
    return float(value if value is not None else 0.0)


def report_spike(rule: RuleSetting, recent: int, same_hours: Sequence[int]) -> Finding | None:
    """`recent`: reports in the last hour; `same_hours`: reports in that hour of each earlier
    day (14 of them)."""
    expected = sum(same_hours) / len(same_hours) if same_hours else 0.0
    p = poisson_tail(recent, expected)
    if recent < rule.minimum or p >= _threshold(rule):
        return None
    return Finding(
        rule.kind, recent, round(expected, 4), {"p": p, "minutes": WINDOW_MINUTES[rule.kind]}
    )


def dau_drop(
    rule: RuleSetting, day: date, dau: int, same_weekdays: Sequence[int]
) -> Finding | None:
    """`dau`: members active on the closed `day`; `same_weekdays`: DAU on that weekday of each
    of the 4 weeks before."""
    if not same_weekdays:
        return None
    expected = sum(same_weekdays) / len(same_weekdays)
    if expected < rule.minimum or dau >= _threshold(rule) * expected:
        return None
    return Finding(
        rule.kind,
        dau,
        round(expected, 4),
        {"day": day.isoformat(), "ratio": round(dau / expected, 4)},
    )


def _median(days: Sequence[int]) -> float:
    return float(statistics.median(days)) if days else 0.0


def signup_spike(
    rule: RuleSetting,
    today: int,
    today_posted: int,
    earlier: Sequence[int],
    earlier_posted: int,
) -> Finding | None:
    """`today`: new members so far today, `today_posted` of them posted today; `earlier`: new
    members on each of the 14 days before, `earlier_posted` of them posted on their first
    day. With no earlier new members to compare, any first-post rate counts as falling."""
    median = _median(earlier)
    if today < rule.minimum or today <= _threshold(rule) * median:
        return None
    rate = today_posted / today
    earlier_total = sum(earlier)
    usual = earlier_posted / earlier_total if earlier_total else None
    if usual is not None and rate >= usual:
        return None
    detail = {"rate": round(rate, 4), "usualRate": round(usual, 4) if usual is not None else None}
    return Finding(rule.kind, today, median, detail)


def backlog(
    rule: RuleSetting, count: int, oldest_hours: float, stage: str | None = None
) -> Finding | None:
    """REVIEW_BACKLOG and FEEDBACK_BACKLOG: `count` items past their SLA, the oldest waiting
    `oldest_hours` (at `stage`, for review tasks)."""
    if count < rule.minimum or count == 0:
        return None
    detail: dict[str, Any] = {"hours": round(oldest_hours, 1)}
    if stage is not None:
        detail["stage"] = stage
    return Finding(rule.kind, count, None, detail)


def negative_feedback_spike(
    rule: RuleSetting, today: int, earlier: Sequence[int]
) -> Finding | None:
    """`today`: COMPLAINT tickets so far today; `earlier`: on each of the 14 days before."""
    median = _median(earlier)
    if today < rule.minimum or today <= _threshold(rule) * median:
        return None
    return Finding(rule.kind, today, median)
