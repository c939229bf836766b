from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class WordLevel(StrEnum):
    BLOCK = "BLOCK"  # the write is refused
    REVIEW = "REVIEW"  # the content waits for review


class SensitiveWord(Model):
    id = fields.BigIntField(primary_key=True)
    word = fields.CharField(max_length=64, unique=True)  # stored normalized
    level = fields.CharEnumField(WordLevel, max_length=8)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Writes the word matched (a check by staff is not one), flushed from Redis by a job;
    # domain/word_hits.py adds what is not flushed yet when they are read.
    hit_count = fields.IntField(default=0)
    last_hit_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sensitive_words"
        indexes = (
            Index(fields=("created_at", "id"), name="sensitive_words_list_idx"),
            Index(fields=("level", "created_at", "id"), name="sensitive_words_level_idx"),
        )


class TargetType(StrEnum):
    POST = "POST"
    COMMENT = "COMMENT"
    ANSWER = "ANSWER"
    USER = "USER"


class ReportReason(StrEnum):
    SPAM = "SPAM"
    ABUSE = "ABUSE"
    PORN = "PORN"
    POLITICS = "POLITICS"
    ILLEGAL = "ILLEGAL"
    FRAUD = "FRAUD"
    OTHER = "OTHER"


class ReviewStage(StrEnum):
    FIRST = "FIRST"  # moderators and volunteers (初审)
    SECOND = "SECOND"  # a different moderator (复审)
    FINAL = "FINAL"  # operators (终审)


class ReviewStatus(StrEnum):
    OPEN = "OPEN"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ReviewSource(StrEnum):
    """What opened a review task."""

    WORD = "WORD"  # a sensitive word at REVIEW level
    WECHAT = "WECHAT"  # WeChat's content-security check advised a look
    REPORT = "REPORT"  # members' reports
    APPEAL = "APPEAL"  # the author appealed a rejection
    MANUAL = "MANUAL"  # hidden by staff (hideMemberContent)


class ReviewTask(Model):
    """One piece of content (or member) under review; at most one OPEN task per target."""

    id = fields.BigIntField(primary_key=True)
    target_type = fields.CharEnumField(TargetType, max_length=8)
    target_id = fields.BigIntField()
    stage = fields.CharEnumField(ReviewStage, max_length=8, default=ReviewStage.FIRST)
    status = fields.CharEnumField(ReviewStatus, max_length=8, default=ReviewStatus.OPEN)
    reasons: fields.JSONField[list[Any]] = fields.JSONField(default=list)
    report_count = fields.IntField(default=0)
    first_reviewer: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="first_reviews", null=True, on_delete=fields.SET_NULL
    )
    appeal = fields.BooleanField(default=False)
    source = fields.CharEnumField(ReviewSource, max_length=8, default=ReviewSource.WORD)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    closed_at = fields.DatetimeField(null=True)
    # When the task reached its current stage: its SLA clock (CommunityRules.review_due).
    stage_entered_at = fields.DatetimeField(auto_now_add=True)
    # A reviewer's lease: others cannot decide the task until it expires (review_claims.py).
    claimed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="review_claims", null=True, on_delete=fields.SET_NULL
    )
    claim_expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "review_tasks"
        indexes = (
            Index(
                fields=("status", "stage", "stage_entered_at", "id"),
                name="review_tasks_stage_queue_idx",
            ),
            Index(fields=("target_type", "target_id"), name="review_tasks_target_idx"),
            Index(fields=("created_at", "id"), name="review_tasks_created_idx"),
            Index(fields=("closed_at",), name="review_tasks_closed_idx"),
        )


class ReviewDecision(Model):
    """One decision taken on a review task, at the stage it was taken: the task's history and
    what review metrics count. Append-only."""

    id = fields.BigIntField(primary_key=True)
    task: fields.ForeignKeyRelation[ReviewTask] = fields.ForeignKeyField(
        "models.ReviewTask", related_name="decisions", on_delete=fields.CASCADE
    )
    stage = fields.CharEnumField(ReviewStage, max_length=8)
    decision = fields.CharField(max_length=8)  # APPROVE, REJECT or ESCALATE
    violation = fields.CharEnumField(ReportReason, max_length=16, null=True)
    note = fields.CharField(max_length=500, default="")
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="review_decisions", null=True, on_delete=fields.SET_NULL
    )
    # When the task had reached the stage decided: time to decision is decided_at minus this.
    stage_entered_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "review_decisions"
        indexes = (
            Index(fields=("task_id", "id"), name="review_decisions_task_idx"),
            Index(fields=("decided_at", "id"), name="review_decisions_time_idx"),
        )


class ReportStatus(StrEnum):
    PENDING = "PENDING"
    RESOLVED = "RESOLVED"


class Report(Model):
    id = fields.BigIntField(primary_key=True)
    reporter: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reports", on_delete=fields.CASCADE
    )
    target_type = fields.CharEnumField(TargetType, max_length=8)
    target_id = fields.BigIntField()
    reason = fields.CharEnumField(ReportReason, max_length=16)
    detail = fields.CharField(max_length=500, default="")
    status = fields.CharEnumField(ReportStatus, max_length=8, default=ReportStatus.PENDING)
    task: fields.ForeignKeyNullableRelation[ReviewTask] = fields.ForeignKeyField(
        "models.ReviewTask", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reports"
        unique_together = (("reporter", "target_type", "target_id"),)
        indexes = (
            Index(fields=("created_at",), name="reports_created_idx"),
            Index(fields=("task_id", "reason"), name="reports_task_idx"),
            Index(fields=("target_type", "target_id"), name="reports_target_idx"),
        )


class SanctionKind(StrEnum):
    MUTE = "MUTE"
    BAN = "BAN"


class Sanction(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sanctions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(SanctionKind, max_length=8)
    until = fields.DatetimeField()
    reason = fields.CharField(max_length=500)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sanctions_given", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    lifted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sanctions"
        indexes = (
            Index(fields=("user_id", "kind"), name="sanctions_user_idx"),
            Index(fields=("created_at", "id"), name="sanctions_time_idx"),
        )


class ModerationAction(Model):
    """The moderation log: who did what to which target, and why. Append-only."""

    id = fields.BigIntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="moderation_actions", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=32)
    target_type = fields.CharField(max_length=16)
    target_id = fields.BigIntField(null=True)
    note = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "moderation_actions"
        indexes = (
            Index(fields=("created_at", "id"), name="moderation_actions_time_idx"),
            Index(fields=("actor_id", "created_at", "id"), name="moderation_actions_actor_idx"),
            Index(fields=("action", "created_at", "id"), name="moderation_actions_action_idx"),
            Index(
                fields=("target_type", "target_id", "created_at"),
                name="moderation_actions_target_idx",
            ),
            Index(fields=("target_type", "created_at", "id"), name="moderation_actions_type_idx"),
        )


class Collection(Model):
    """A curated collection (专题) of posts."""

    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=60)
    description = fields.CharField(max_length=500, default="")
    cover_url = fields.CharField(max_length=512, default="")
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="collections", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "collections"
        indexes = (Index(fields=("created_at", "id"), name="collections_created_idx"),)


class CollectionItem(Model):
    id = fields.BigIntField(primary_key=True)
    collection: fields.ForeignKeyRelation[Collection] = fields.ForeignKeyField(
        "models.Collection", related_name="items", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Post", related_name="collection_items", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "collection_items"
        unique_together = (("collection", "post"),)
        indexes = (Index(fields=("collection_id", "position"), name="collection_items_order_idx"),)
