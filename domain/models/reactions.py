from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.comments import Comment
from domain.models.posts import Post, Topic
from domain.models.users import User


class PostLike(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="post_likes", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="likes", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "post_likes"
        unique_together = (("user", "post"),)
        indexes = (Index(fields=("post_id", "created_at"), name="post_likes_post_idx"),)


class CommentLike(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="comment_likes", on_delete=fields.CASCADE
    )
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="likes", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "comment_likes"
        unique_together = (("user", "comment"),)


class ShareChannel(StrEnum):
    WECHAT_CHAT = "WECHAT_CHAT"
    WECHAT_MOMENTS = "WECHAT_MOMENTS"
    POSTER = "POSTER"
    COPY_LINK = "COPY_LINK"
    OTHER = "OTHER"


class Share(Model):
    """One share of a post; its token goes into the shared link to trace opens and sign-ups."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="shares", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="shares", on_delete=fields.CASCADE
    )
    channel = fields.CharEnumField(ShareChannel, max_length=16)
    token = fields.CharField(max_length=32, unique=True)
    # Counted in shareCount and the rankings: the member's first share of the post on this
    # channel that community day. Every row still feeds the share funnel.
    counted = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "shares"
        indexes = (Index(fields=("created_at",), name="shares_created_idx"),)


class PostView(Model):
    """A member viewed a post on a day (UTC+8); viewCount counts these rows."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="post_views", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="views", on_delete=fields.CASCADE
    )
    day = fields.DateField()

    class Meta:
        table = "post_views"
        unique_together = (("user", "post", "day"),)


class ClientEventKind(StrEnum):
    IMPRESSION = "IMPRESSION"
    VIEW = "VIEW"
    DWELL = "DWELL"
    SHARE_OPEN = "SHARE_OPEN"


class ClientEvent(Model):
    """Append-only: what the client reported seeing, for analytics and recommendations."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(null=True)
    kind = fields.CharEnumField(ClientEventKind, max_length=16)
    post_id = fields.BigIntField(null=True)
    share_token = fields.CharField(max_length=32, null=True)
    duration_ms = fields.IntField(null=True)
    occurred_at = fields.DatetimeField()
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "client_events"
        indexes = (Index(fields=("occurred_at",), name="client_events_time_idx"),)


class UserFollow(Model):
    id = fields.BigIntField(primary_key=True)
    follower: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="following", on_delete=fields.CASCADE
    )
    followee: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="followers", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "user_follows"
        unique_together = (("follower", "followee"),)
        indexes = (Index(fields=("followee_id", "created_at"), name="user_follows_followee_idx"),)


class TopicFollow(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="topic_follows", on_delete=fields.CASCADE
    )
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "models.Topic", related_name="follows", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "topic_follows"
        unique_together = (("user", "topic"),)
