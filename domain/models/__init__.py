"""Tortoise models, one module per feature; this package is the Tortoise app `models`."""

from domain.models.analytics import DailyMetric, ImportedRecord, MemberActivity
from domain.models.answers import Answer, AnswerStatus, AnswerVote
from domain.models.auth import RefreshToken
from domain.models.circles import (
    Circle,
    CircleMember,
    CircleRole,
    JoinPolicy,
    MembershipStatus,
)
from domain.models.comments import Comment, CommentStatus
from domain.models.events import (
    Event,
    EventKind,
    EventSignup,
    Feedback,
    FeedbackCategory,
    FeedbackStatus,
)
from domain.models.moderation import (
    Collection,
    CollectionItem,
    ModerationAction,
    Report,
    ReportReason,
    ReportStatus,
    ReviewStage,
    ReviewStatus,
    ReviewTask,
    Sanction,
    SanctionKind,
    SensitiveWord,
    TargetType,
    WordLevel,
)
from domain.models.notifications import Notification, NotificationKind, SubscribeGrant
from domain.models.points import Checkin, PointsEntry, PointsReason, UserBadge
from domain.models.polls import Poll, PollOption, PollVoter
from domain.models.posts import MediaUpload, Post, PostKind, PostStatus, PostTopic, Topic
from domain.models.reactions import (
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
from domain.models.recommender import RecommenderModel
from domain.models.retention import MemberSignal, Segment
from domain.models.users import Role, User

__all__ = [
    "Answer",
    "AnswerStatus",
    "AnswerVote",
    "Checkin",
    "Circle",
    "CircleMember",
    "CircleRole",
    "ClientEvent",
    "ClientEventKind",
    "Collection",
    "CollectionItem",
    "Comment",
    "CommentLike",
    "CommentStatus",
    "DailyMetric",
    "Event",
    "EventKind",
    "EventSignup",
    "Feedback",
    "FeedbackCategory",
    "FeedbackStatus",
    "ImportedRecord",
    "JoinPolicy",
    "MediaUpload",
    "MemberActivity",
    "MemberSignal",
    "MembershipStatus",
    "ModerationAction",
    "Notification",
    "NotificationKind",
    "PointsEntry",
    "PointsReason",
    "Poll",
    "PollOption",
    "PollVoter",
    "Post",
    "PostKind",
    "PostLike",
    "PostStatus",
    "PostTopic",
    "PostView",
    "RecommenderModel",
    "RefreshToken",
    "Report",
    "ReportReason",
    "ReportStatus",
    "ReviewStage",
    "ReviewStatus",
    "ReviewTask",
    "Role",
    "Sanction",
    "SanctionKind",
    "Segment",
    "SensitiveWord",
    "Share",
    "ShareChannel",
    "SubscribeGrant",
    "TargetType",
    "Topic",
    "TopicFollow",
    "User",
    "UserBadge",
    "UserFollow",
    "WordLevel",
]
