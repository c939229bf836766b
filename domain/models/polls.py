"""Polls: a post of kind POLL has one poll, its options and who voted."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.models.posts import Post
from domain.models.users import User


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
