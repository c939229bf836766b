"""The community's rules: what each action earns in points and how often a day, the levels,
the bounty and circle-event reward ceilings, the review stages' SLAs and claim lease, the
feedback desk's SLA, and the calendar they all count days by. One frozen object, built from
settings by each process's composition root and handed to the functions that apply it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.calendar import Calendar
from domain.levels import level_for_points
from domain.models import PointsReason, ReviewStage

_STAGES = (ReviewStage.FIRST, ReviewStage.SECOND, ReviewStage.FINAL)


@dataclass(frozen=True)
class CommunityRules:
    calendar: Calendar
    post: int
    post_daily: int
    reply: int
    reply_daily: int
    like_received: int
    like_received_daily: int
    accepted_answer: int
    featured: int
    checkin: int
    checkin_streak_bonus: int
    checkin_streak_days: int
    invite: int
    bounty_max: int
    circle_event_reward_max: int
    level_thresholds: tuple[int, ...]
    # Hours from reaching a review stage (FIRST, SECOND, FINAL) to a decision, and how long a
    # reviewer's claim on a task holds.
    review_sla_hours: tuple[float, float, float] = (2.0, 8.0, 24.0)
    review_claim_minutes: int = 10
    # Hours from a feedback ticket's creation to its first reply.
    feedback_sla_hours: float = 24.0
    # The task centre: (code, reward) pairs, and the days onboarding tasks are offered.
    task_rewards: tuple[tuple[str, int], ...] = ()
    onboarding_days: int = 30

    def daily_cap(self, reason: PointsReason) -> tuple[int, tuple[PointsReason, ...]] | None:
        """(awards allowed a day, reasons sharing that cap) for a reason, None when uncapped.
        Comments and answers share one cap."""
        if reason is PointsReason.POST:
            return self.post_daily, (PointsReason.POST,)
        if reason in (PointsReason.COMMENT, PointsReason.ANSWER):
            return self.reply_daily, (PointsReason.COMMENT, PointsReason.ANSWER)
        if reason is PointsReason.LIKE_RECEIVED:
            return self.like_received_daily, (PointsReason.LIKE_RECEIVED,)
        return None

    def level_for(self, points: int) -> int:
        return level_for_points(points, self.level_thresholds)

    def review_sla(self, stage: ReviewStage) -> timedelta:
        return timedelta(hours=self.review_sla_hours[_STAGES.index(ReviewStage(stage))])

    def review_due(self, stage: ReviewStage, entered_at: datetime) -> datetime:
        """When a task that reached `stage` at `entered_at` is overdue."""
        return entered_at + self.review_sla(stage)

    @property
    def review_claim(self) -> timedelta:
        return timedelta(minutes=self.review_claim_minutes)

    @property
    def feedback_sla(self) -> timedelta:
        return timedelta(hours=self.feedback_sla_hours)

    def feedback_due(self, created_at: datetime) -> datetime:
        """When a ticket filed at `created_at` should have had its first reply."""
        return created_at + self.feedback_sla
