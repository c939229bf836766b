from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.circles import Circle
from domain.models.users import User


class PostKind(StrEnum):
    POST = "POST"
    QUESTION = "QUESTION"
    POLL = "POLL"


class PostStatus(StrEnum):
    PUBLISHED = "PUBLISHED"
    PENDING_REVIEW = "PENDING_REVIEW"  # visible to its author only
    HIDDEN = "HIDDEN"  # reported past the threshold, waiting for review
    REJECTED = "REJECTED"
    DELETED = "DELETED"
    # Written by staff to appear at publish_at: seen by staff and its author only until the
    # job publishes it (domain/scheduling.py), counted nowhere before.
    SCHEDULED = "SCHEDULED"


class Topic(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=20, unique=True)
    description = fields.CharField(max_length=200, default="")
    post_count = fields.IntField(default=0)
    follower_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "topics"


class Post(Model):
    """A post, question or poll. Counters change in the transaction of the row they count."""

    id = fields.BigIntField(primary_key=True)
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="posts", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(PostKind, max_length=16, default=PostKind.POST)
    status = fields.CharEnumField(PostStatus, max_length=16, default=PostStatus.PUBLISHED)
    title = fields.CharField(max_length=60, default="")
    body = fields.TextField()
    # [{"url", "width", "height"}], in the order the author chose.
    images: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    like_count = fields.IntField(default=0)
    comment_count = fields.IntField(default=0)
    share_count = fields.IntField(default=0)
    view_count = fields.IntField(default=0)
    answer_count = fields.IntField(default=0)
    bounty = fields.IntField(default=0)
    circle: fields.ForeignKeyNullableRelation[Circle] = fields.ForeignKeyField(
        "models.Circle", related_name="posts", null=True, on_delete=fields.SET_NULL
    )
    # Set when the question's author accepts an answer (answers.id; no FK: answers point here).
    accepted_answer_id = fields.BigIntField(null=True)
    # Pinned at the top of the LATEST feed (GLOBAL) or of its circle's feed (CIRCLE) until
    # pinned_until (forever when null); featured by operators at featured_at.
    pin_scope = fields.CharField(max_length=8, null=True)
    pinned_at = fields.DatetimeField(null=True)
    pinned_until = fields.DatetimeField(null=True)
    featured_at = fields.DatetimeField(null=True)
    # When a SCHEDULED post goes out (kept once published: when it was meant to).
    publish_at = fields.DatetimeField(null=True)
    feature_reason = fields.CharField(max_length=200, default="")
    # jieba tokens of title and body; a generated tsvector column and its GIN index sit on it.
    search_tokens = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "posts"
        indexes = (
            Index(fields=("status", "created_at", "id"), name="posts_status_created_idx"),
            Index(fields=("author_id", "status", "created_at", "id"), name="posts_author_idx"),
            Index(fields=("circle_id", "status", "created_at", "id"), name="posts_circle_idx"),
            Index(fields=("kind", "status", "created_at", "id"), name="posts_kind_idx"),
            Index(fields=("featured_at", "id"), name="posts_featured_idx"),
            Index(fields=("pin_scope", "pinned_at"), name="posts_pinned_idx"),
        )


class PostTopic(Model):
    """A post filed under a topic; carries the post's time so a topic feed reads one index."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="post_topics", on_delete=fields.CASCADE
    )
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "models.Topic", related_name="post_topics", on_delete=fields.CASCADE
    )
    position = fields.SmallIntField(default=0)
    post_created_at = fields.DatetimeField()

    class Meta:
        table = "post_topics"
        unique_together = (("post", "topic"),)
        indexes = (
            Index(fields=("topic_id", "post_created_at", "post_id"), name="post_topics_feed_idx"),
            # A post's topics in their order, read from the index alone for every card's versions
            # (domain.reads.card_version_columns): no sort per card.
            Index(fields=("post_id", "position", "id", "topic_id"), name="post_topics_order_idx"),
        )


class MediaUpload(Model):
    """An image this service accepted and stored; posts may only use these URLs."""

    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="uploads", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=512, unique=True)
    storage_key = fields.CharField(max_length=256)
    content_type = fields.CharField(max_length=32)
    size = fields.IntField()
    width = fields.IntField()
    height = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "media_uploads"
