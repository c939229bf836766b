from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class Segment(StrEnum):
    NEW = "NEW"
    ACTIVE = "ACTIVE"
    CASUAL = "CASUAL"
    DORMANT = "DORMANT"
    CHURNED = "CHURNED"


class MemberSignal(Model):
    """The nightly retention score of a member: segment, churn risk and why."""

    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="signal", on_delete=fields.CASCADE, primary_key=True
    )
    segment = fields.CharEnumField(Segment, max_length=8)
    risk = fields.FloatField()
    last_active_day = fields.DateField(null=True)
    active_days_30 = fields.IntField(default=0)
    reason = fields.CharField(max_length=200, default="")
    computed_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "member_signals"
        indexes = (
            Index(fields=("segment", "risk"), name="member_signals_risk_idx"),
            # segmentsScoredAt: the latest score, read off the index.
            Index(fields=("computed_at",), name="member_signals_computed_idx"),
        )
