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


class Poll(Model):
    id = fields.BigIntField(primary_key=True)
    post: fields.OneToOneRelation[Post] = fields.OneToOneField(
        "models.Post", related_name="poll", on_delete=fields.CASCADE
    )
    multiple_choice = fields.BooleanField(default=False)
    closes_at = fields.DatetimeField(null=True)
    total_voters = fields.IntField(default=0)

    class Meta:
        table = "polls"


class PollOption(Model):
    id = fields.BigIntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "models.Poll", related_name="options", on_delete=fields.CASCADE
    )
    position = fields.SmallIntField()
    text = fields.CharField(max_length=50)
    vote_count = fields.IntField(default=0)

    class Meta:
        table = "poll_options"
        unique_together = (("poll", "position"),)


class PollVoter(Model):
    """A member has voted in a poll: the row that makes a second vote a CONFLICT."""

    id = fields.BigIntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "models.Poll", related_name="voters", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="poll_votes", on_delete=fields.CASCADE
    )
    option_ids: fields.JSONField[list[int]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "poll_voters"
        unique_together = (("poll", "user"),)
