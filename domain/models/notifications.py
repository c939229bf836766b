from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class NotificationKind(StrEnum):
    COMMENT = "COMMENT"  # someone commented on your post
    REPLY = "REPLY"  # someone replied to your comment
    LIKE = "LIKE"  # grouped: who and how many liked your post or comment today
    FOLLOW = "FOLLOW"
    ANSWER = "ANSWER"  # someone answered your question
    ANSWER_ACCEPTED = "ANSWER_ACCEPTED"
    REVIEW_APPROVED = "REVIEW_APPROVED"
    REVIEW_REJECTED = "REVIEW_REJECTED"
    FEATURED = "FEATURED"
    BADGE = "BADGE"
    EVENT_REMINDER = "EVENT_REMINDER"
    FEEDBACK_REPLY = "FEEDBACK_REPLY"
    EVENT_CANCELLED = "EVENT_CANCELLED"  # an event you signed up for was called off
    ANSWER_COMMENT = "ANSWER_COMMENT"  # someone commented on your answer
    TASK_DONE = "TASK_DONE"  # an onboarding task completed (its code in the snippet)
    EVENT_CHANGED = "EVENT_CHANGED"  # an event you signed up for moved or changed its place


class Notification(Model):
    id = fields.BigIntField(primary_key=True)
    recipient: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(NotificationKind, max_length=16)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications_caused", null=True, on_delete=fields.SET_NULL
    )
    actor_ids: fields.JSONField[list[Any]] = fields.JSONField(default=list)
    post_id = fields.BigIntField(null=True)
    comment_id = fields.BigIntField(null=True)
    subject_id = fields.BigIntField(null=True)  # answer, event or feedback, by kind
    snippet = fields.CharField(max_length=120, default="")
    # Grouped notifications (likes) share a key: one row per target per day.
    group_key = fields.CharField(max_length=96, null=True, unique=True)
    read = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notifications"
        indexes = (
            Index(fields=("recipient_id", "updated_at", "id"), name="notifications_inbox_idx"),
            Index(fields=("recipient_id", "read"), name="notifications_unread_idx"),
        )


class SubscribeGrant(Model):
    """A WeChat one-time subscribe-message grant: one message per grant and template."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="subscribe_grants", on_delete=fields.CASCADE
    )
    template_id = fields.CharField(max_length=64)
    remaining = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "subscribe_grants"
        unique_together = (("user", "template_id"),)
