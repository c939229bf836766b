"""Tortoise models, one module per feature; this package is the Tortoise app `models`."""

from quanzi.domain.models.auth import RefreshToken
from quanzi.domain.models.comments import Comment, CommentStatus
from quanzi.domain.models.posts import MediaUpload, Post, PostKind, PostStatus, PostTopic, Topic
from quanzi.domain.models.reactions import (
    ClientEvent,
    ClientEventKind,
    CommentLike,
    PostLike,
    PostView,
    Share,
    ShareChannel,
    TopicFollow,
    UserFollow,
)
from quanzi.domain.models.users import Role, User

__all__ = [
    "ClientEvent",
    "ClientEventKind",
    "Comment",
    "CommentLike",
    "CommentStatus",
    "MediaUpload",
    "Post",
    "PostKind",
    "PostLike",
    "PostStatus",
    "PostTopic",
    "PostView",
    "RefreshToken",
    "Role",
    "Share",
    "ShareChannel",
    "Topic",
    "TopicFollow",
    "User",
    "UserFollow",
]
