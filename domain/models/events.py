from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.circles import Circle
from domain.models.users import User


class EventKind(StrEnum):
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"


class Event(Model):
    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=60)
    description = fields.TextField(default="")
    kind = fields.CharEnumField(EventKind, max_length=8)
    location = fields.CharField(max_length=200, default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    signup_deadline = fields.DatetimeField()
    capacity = fields.IntField(null=True)  # null: no limit
    signup_count = fields.IntField(default=0)
    checkin_count = fields.IntField(default=0)
    points_reward = fields.IntField(default=0)
    circle: fields.ForeignKeyNullableRelation[Circle] = fields.ForeignKeyField(
        "models.Circle", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="events_created", null=True, on_delete=fields.SET_NULL
    )
    # Seeds the rotating check-in code; never leaves the server.
    checkin_secret = fields.CharField(max_length=64)
    reminded_at = fields.DatetimeField(null=True)  # signed-up members were reminded
    # Called off by its organisers: sign-ups and check-in closed, nothing paid.
    cancelled_at = fields.DatetimeField(null=True)
    cancel_reason = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "events"
        indexes = (
            Index(fields=("starts_at", "id"), name="events_starts_idx"),
            Index(fields=("ends_at", "id"), name="events_ends_idx"),
        )


class EventSignup(Model):
    id = fields.BigIntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="signups", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="event_signups", on_delete=fields.CASCADE
    )
    checked_in_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "event_signups"
        unique_together = (("event", "user"),)
        indexes = (Index(fields=("event_id", "created_at", "id"), name="event_signups_roster_idx"),)


class FeedbackCategory(StrEnum):
    BUG = "BUG"
    SUGGESTION = "SUGGESTION"
    COMPLAINT = "COMPLAINT"
    CONTENT = "CONTENT"
    OTHER = "OTHER"


class FeedbackStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class Feedback(Model):
    """A member's feedback or complaint, answered by operators at the feedback desk."""

    id = fields.BigIntField(primary_key=True)
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="feedback", on_delete=fields.CASCADE
    )
    category = fields.CharEnumField(FeedbackCategory, max_length=16)
    content = fields.TextField()
    contact = fields.CharField(max_length=100, default="")
    images: fields.JSONField[list[Any]] = fields.JSONField(default=list)
    status = fields.CharEnumField(FeedbackStatus, max_length=16, default=FeedbackStatus.OPEN)
    reply = fields.TextField(null=True)
    replied_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="feedback_replies", null=True, on_delete=fields.SET_NULL
    )
    replied_at = fields.DatetimeField(null=True)
    # The desk's timings: the first answer (the SLA's clock stops) and when it was last
    # resolved or closed (null while open or reopened).
    first_replied_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    rating = fields.SmallIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "feedback"
        # Also feedback_unanswered_idx (created_at) WHERE first_replied_at IS NULL: the
        # overdue tickets (migration 0015).
        indexes = (
            Index(fields=("author_id", "created_at", "id"), name="feedback_author_idx"),
            Index(fields=("status", "created_at", "id"), name="feedback_desk_idx"),
            Index(fields=("category", "created_at", "id"), name="feedback_category_idx"),
            Index(
                fields=("status", "category", "created_at", "id"),
                name="feedback_desk_category_idx",
            ),
            Index(fields=("created_at", "id"), name="feedback_created_idx"),
        )
