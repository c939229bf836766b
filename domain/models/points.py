from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class PointsReason(StrEnum):
    POST = "POST"
    COMMENT = "COMMENT"
    ANSWER = "ANSWER"
    LIKE_RECEIVED = "LIKE_RECEIVED"
    LIKE_WITHDRAWN = "LIKE_WITHDRAWN"
    ACCEPTED_ANSWER = "ACCEPTED_ANSWER"
    FEATURED = "FEATURED"
    CHECKIN = "CHECKIN"
    CHECKIN_STREAK = "CHECKIN_STREAK"
    EVENT_CHECKIN = "EVENT_CHECKIN"
    INVITE = "INVITE"
    BOUNTY_ESCROW = "BOUNTY_ESCROW"
    BOUNTY_PAID = "BOUNTY_PAID"
    BOUNTY_REFUND = "BOUNTY_REFUND"
    MALL_REDEMPTION = "MALL_REDEMPTION"  # points spent in the mall
    MALL_REFUND = "MALL_REFUND"  # a cancelled redemption's points back
    TASK_REWARD = "TASK_REWARD"
    SURVEY_REWARD = "SURVEY_REWARD"


class PointsEntry(Model):
    """The append-only points ledger. A member's points equal the sum of their entries;
    the idempotency key makes one action count once however often it is retried."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="points_entries", on_delete=fields.CASCADE
    )
    amount = fields.IntField()
    reason = fields.CharEnumField(PointsReason, max_length=16)
    balance_after = fields.IntField()
    target_type = fields.CharField(max_length=16, null=True)
    target_id = fields.BigIntField(null=True)
    idempotency_key = fields.CharField(max_length=128, unique=True)
    day = fields.DateField()  # the community's calendar day, for daily caps and leaderboards
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "points_entries"
        indexes = (
            Index(fields=("user_id", "created_at", "id"), name="points_user_idx"),
            Index(fields=("user_id", "day", "reason"), name="points_caps_idx"),
            Index(fields=("day", "user_id"), name="points_day_idx"),
        )


class Checkin(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="checkins", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    streak = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "checkins"
        unique_together = (("user", "day"),)


class UserBadge(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="badges", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)  # when it was awarded

    class Meta:
        table = "user_badges"
        unique_together = (("user", "code"),)
