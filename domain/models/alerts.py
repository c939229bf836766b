from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class AlertKind(StrEnum):
    """What a detector watches (domain/detectors.py has each rule)."""

    REPORT_SPIKE = "REPORT_SPIKE"
    DAU_DROP = "DAU_DROP"
    SIGNUP_SPIKE = "SIGNUP_SPIKE"
    REVIEW_BACKLOG = "REVIEW_BACKLOG"
    FEEDBACK_BACKLOG = "FEEDBACK_BACKLOG"
    NEGATIVE_FEEDBACK_SPIKE = "NEGATIVE_FEEDBACK_SPIKE"


class AlertStatus(StrEnum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class AlertSeverity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"


class Alert(Model):
    """Something going wrong, found by a detector: OPEN → ACKNOWLEDGED → RESOLVED. At most one
    alert of a kind is not RESOLVED (the partial unique index alerts_one_open)."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(AlertKind, max_length=32)
    severity = fields.CharEnumField(AlertSeverity, max_length=8)
    status = fields.CharEnumField(AlertStatus, max_length=16, default=AlertStatus.OPEN)
    # The figure that tripped the rule and what it was compared with (null: no baseline).
    value = fields.FloatField()
    baseline = fields.FloatField(null=True)
    # What the message says beyond value and baseline (texts/alerts.py fills it in).
    detail: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    opened_at = fields.DatetimeField(auto_now_add=True)
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="alerts_acknowledged", null=True, on_delete=fields.SET_NULL
    )
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "alerts"
        indexes = (
            Index(fields=("opened_at", "id"), name="alerts_time_idx"),
            Index(fields=("status", "opened_at", "id"), name="alerts_status_idx"),
            Index(fields=("kind", "opened_at", "id"), name="alerts_kind_idx"),
        )


class AlertRule(Model):
    """An operator's setting of one detector; a kind without a row uses the defaults."""

    kind = fields.CharEnumField(AlertKind, max_length=32, primary_key=True)
    enabled = fields.BooleanField(default=True)
    threshold = fields.FloatField(null=True)
    minimum = fields.IntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="alert_rules_set", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "alert_rules"
