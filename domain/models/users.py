from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Role(StrEnum):
    """Ordered: each role can do what the ones before it can."""

    MEMBER = "MEMBER"
    MODERATOR = "MODERATOR"
    OPERATOR = "OPERATOR"
    ADMIN = "ADMIN"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class User(Model):
    """A member. Counters are denormalised and kept in step by the services that change them."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True)
    unionid = fields.CharField(max_length=64, unique=True, null=True)
    nickname = fields.CharField(max_length=20)
    avatar_url = fields.CharField(max_length=512, default="")
    bio = fields.CharField(max_length=200, default="")
    role = fields.CharEnumField(Role, max_length=16, default=Role.MEMBER)

    invite_code = fields.CharField(max_length=16, unique=True)
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitees", null=True, on_delete=fields.SET_NULL
    )
    # The share a member arrived through; the Share rows and funnel come with the social core.
    signup_share_token = fields.CharField(max_length=64, null=True)

    points = fields.IntField(default=0)
    follower_count = fields.IntField(default=0)
    following_count = fields.IntField(default=0)
    post_count = fields.IntField(default=0)
    invited_count = fields.IntField(default=0)
    likes_received = fields.IntField(default=0)
    unread_notification_count = fields.IntField(default=0)
    checkin_streak = fields.IntField(default=0)
    last_checkin_day = fields.DateField(null=True)
    muted_until = fields.DatetimeField(null=True)
    banned_until = fields.DatetimeField(null=True)

    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"
        indexes = (Index(fields=("created_at", "id"), name="users_created_idx"),)

    def __str__(self) -> str:
        return f"User({self.id}, {self.nickname})"
