"""Answers to questions and the votes on them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.posts import Post
from domain.models.users import User


class AnswerStatus(StrEnum):
    PUBLISHED = "PUBLISHED"
    PENDING_REVIEW = "PENDING_REVIEW"
    HIDDEN = "HIDDEN"
    REJECTED = "REJECTED"
    DELETED = "DELETED"


class Answer(Model):
    """An answer to a QUESTION post: one per member per question."""

    id = fields.BigIntField(primary_key=True)
    question: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="answers", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="answers", on_delete=fields.CASCADE
    )
    body = fields.TextField()
    status = fields.CharEnumField(AnswerStatus, max_length=16, default=AnswerStatus.PUBLISHED)
    vote_count = fields.IntField(default=0)
    is_accepted = fields.BooleanField(default=False)
    comment_count = fields.IntField(default=0)  # published comments and replies
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "answers"
        unique_together = (("question", "author"),)
        indexes = (
            Index(
                fields=("question_id", "status", "is_accepted", "vote_count", "id"),
                name="answers_votes_idx",
            ),
            Index(fields=("question_id", "status", "created_at", "id"), name="answers_new_idx"),
            Index(fields=("author_id", "status", "created_at"), name="answers_author_idx"),
        )


class AnswerVote(Model):
    id = fields.BigIntField(primary_key=True)
    answer: fields.ForeignKeyRelation[Answer] = fields.ForeignKeyField(
        "models.Answer", related_name="votes", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="answer_votes", on_delete=fields.CASCADE
    )
    value = fields.SmallIntField()  # +1 or -1
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "answer_votes"
        unique_together = (("answer", "user"),)
