from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.answers import Answer
from domain.models.posts import Post
from domain.models.users import User


class CommentStatus(StrEnum):
    PUBLISHED = "PUBLISHED"
    PENDING_REVIEW = "PENDING_REVIEW"
    HIDDEN = "HIDDEN"
    REJECTED = "REJECTED"
    DELETED = "DELETED"


class Comment(Model):
    """A comment on a post, or on an answer (`answer` set, `post` its question). Replies hang
    off a root comment (one level of threading); `reply_to` keeps the comment actually
    answered."""

    id = fields.BigIntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="comments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="comments", on_delete=fields.CASCADE
    )
    answer: fields.ForeignKeyNullableRelation[Answer] = fields.ForeignKeyField(
        "models.Answer", related_name="comments", null=True, on_delete=fields.CASCADE
    )
    root: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="thread", null=True, on_delete=fields.CASCADE
    )
    reply_to: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="answered_by", null=True, on_delete=fields.SET_NULL
    )
    body = fields.TextField()
    status = fields.CharEnumField(CommentStatus, max_length=16, default=CommentStatus.PUBLISHED)
    like_count = fields.IntField(default=0)
    reply_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "comments"
        indexes = (
            Index(
                fields=("post_id", "root_id", "status", "created_at", "id"),
                name="comments_post_idx",
            ),
            Index(fields=("root_id", "status", "created_at", "id"), name="comments_thread_idx"),
            Index(
                fields=("answer_id", "root_id", "status", "created_at", "id"),
                name="comments_answer_idx",
            ),
            Index(fields=("author_id", "status", "created_at"), name="comments_author_idx"),
        )
