"""Tortoise models, one module per feature; this package is the Tortoise app `models`."""

from quanzi.domain.models.auth import RefreshToken
from quanzi.domain.models.circles import (
    Circle,
    CircleMember,
    CircleRole,
    JoinPolicy,
    MembershipStatus,
)
from quanzi.domain.models.comments import Comment, CommentStatus
from quanzi.domain.models.posts import MediaUpload, Post, PostKind, PostStatus, PostTopic, Topic
from quanzi.domain.models.qa import Answer, AnswerStatus, AnswerVote, Poll, PollOption, PollVoter
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
    "Answer",
    "AnswerStatus",
    "AnswerVote",
    "Circle",
    "CircleMember",
    "CircleRole",
    "ClientEvent",
    "ClientEventKind",
    "Comment",
    "CommentLike",
    "CommentStatus",
    "JoinPolicy",
    "MediaUpload",
    "MembershipStatus",
    "Poll",
    "PollOption",
    "PollVoter",
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
