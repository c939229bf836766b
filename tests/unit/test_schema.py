"""schema.graphql is what the code serves, and the client contract validates against it."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import validate

from api.schema import build_schema, export_sdl
from tests.contract import (
    CONTRACT_DIR,
    SHARED_CONTRACT_DIR,
    _definitions,
    operation_document,
)

ROOT = Path(__file__).resolve().parents[2]

# The contract operations, grouped by the feature that serves them.
PLATFORM_OPERATIONS = ["WechatLogin", "DevLogin", "RefreshToken", "Viewer", "UpdateProfile"]
SOCIAL_OPERATIONS = [
    "UserProfile",
    "FollowUser",
    "UnfollowUser",
    "Feed",
    "PostDetail",
    "CommentReplies",
    "CreatePost",
    "EditPost",
    "DeletePost",
    "LikePost",
    "UnlikePost",
    "SharePost",
    "TrackEvents",
    "AddComment",
    "DeleteComment",
    "LikeComment",
    "UnlikeComment",
    "TopicFeed",
    "FollowTopic",
    "UnfollowTopic",
]


def test_schema_file_matches_the_served_schema() -> None:
    assert (ROOT / "schema.graphql").read_text(encoding="utf-8") == export_sdl(), (
        "schema.graphql is stale: run `quanzi export-schema`"
    )


COMMUNITY_OPERATIONS = [
    "Circles",
    "CircleFeed",
    "JoinCircle",
    "LeaveCircle",
    "CreateCircle",
    "CirclePendingMembers",
    "ApproveCircleMember",
    "QuestionAnswers",
    "AnswerQuestion",
    "VoteAnswer",
    "AcceptAnswer",
    "VotePoll",
    "Search",
]


MODERATION_OPERATIONS = [
    "ReportContent",
    "AppealRejection",
    "Collections",
    "CollectionPosts",
    "PinPost",
    "UnpinPost",
    "FeaturePost",
    "UnfeaturePost",
    "CreateCollection",
    "AddToCollection",
    "RemoveFromCollection",
    "ReviewQueue",
    "DecideReview",
    "SanctionUser",
    "LiftSanction",
    "AddSensitiveWords",
    "RemoveSensitiveWords",
    "SetUserRole",
    "ModerationLog",
]


POINTS_OPERATIONS = ["CheckIn", "PointsHistory", "Leaderboard"]
NOTIFICATION_OPERATIONS = ["Notifications", "MarkNotificationsRead", "NotificationAdded"]
EVENT_OPERATIONS = [
    "Events",
    "EventDetail",
    "SignUpEvent",
    "CancelEventSignup",
    "CheckInEvent",
    "CreateEvent",
    "EventStats",
    "IssueEventCheckInCode",
    "SubmitFeedback",
    "MyFeedback",
    "RateFeedback",
    "FeedbackTickets",
    "ReplyFeedback",
]
ANALYTICS_OPERATIONS = [
    "TrendingTopics",
    "CommunityMetrics",
    "RetentionCohorts",
    "ShareFunnel",
    "AtRiskUsers",
    "UserSegments",
    "RefreshTrending",
]
RECOMMENDER_OPERATIONS = ["RecommenderStatus", "RetrainRecommender"]
# Wave 2, the console's moderation side (wave2/console-moderation.graphql).
CONSOLE_MODERATION_OPERATIONS = [
    "ConsoleLoginRequest",
    "ApproveConsoleLogin",
    "ConsoleOverview",
    "ReviewWorkbench",
    "ClaimReviewTask",
    "ReleaseReviewTask",
    "DecideReviews",
    "ReviewMetrics",
    "Sanctions",
    "HideMemberContent",
    "MemberRecord",
    "SensitiveWords",
    "CheckText",
    "ModerationLogFiltered",
]
# Wave 2, the console's operations side (wave2/console-operations.graphql): the feedback
# desk's timings, alerts, the home page's operations counts, the dashboard's breakdowns.
CONSOLE_WATCH_OPERATIONS = [
    "FeedbackDesk",
    "FeedbackMetrics",
    "Alerts",
    "AcknowledgeAlert",
    "AlertRules",
    "SetAlertRule",
    "RunAlertChecks",
    "ConsoleOverviewOperations",
    "ReportsByReason",
    "ShareFunnelByChannel",
]

# Wave 2, the console's operations side (wave2/console-operations.graphql): content, curation,
# events and the dashboard's extras.
CONSOLE_OPERATIONS = [
    "SchedulePost",
    "ReschedulePost",
    "CancelScheduledPost",
    "ContentCalendar",
    "PinnedPosts",
    "UpdateCollection",
    "MoveInCollection",
    "DeleteCollection",
    "RejectCircleMember",
    "SetCircleAdmin",
    "UpdateEvent",
    "CancelEvent",
    "EventRoster",
    "WeeklyCohorts",
    "TrendingWithRank",
    "RecommenderModels",
    "JobRuns",
    "RefreshRetentionSignals",
    "SegmentsWithTime",
]

# Wave 2, the member's loop (wave2/member-loop.graphql).
MEMBER_LOOP_OPERATIONS = [
    "AddAnswerComment",
    "AnswerComments",
    "NotificationsAboutAnswers",
    "MallItems",
    "RedeemItem",
    "MyRedemptions",
    "CreateMallItem",
    "UpdateMallItem",
    "AddCouponCodes",
    "Redemptions",
    "FulfilRedemption",
    "CancelRedemption",
    "Tasks",
    "ClaimTaskReward",
    "Surveys",
    "SurveyDetail",
    "SubmitSurveyResponse",
    "CreateSurvey",
    "CloseSurvey",
    "SurveyResults",
]


ALL_OPERATIONS = (
    PLATFORM_OPERATIONS
    + SOCIAL_OPERATIONS
    + COMMUNITY_OPERATIONS
    + MODERATION_OPERATIONS
    + POINTS_OPERATIONS
    + EVENT_OPERATIONS
    + NOTIFICATION_OPERATIONS
    + ANALYTICS_OPERATIONS
    + RECOMMENDER_OPERATIONS
    + CONSOLE_MODERATION_OPERATIONS
    + CONSOLE_WATCH_OPERATIONS
    + CONSOLE_OPERATIONS
    + MEMBER_LOOP_OPERATIONS
)


@pytest.mark.parametrize("name", ALL_OPERATIONS)
def test_contract_operation_validates(name: str) -> None:
    schema = build_schema(dev_login=True)._schema
    errors = validate(schema, operation_document(name))
    assert [e.message for e in errors] == []


def test_every_contract_operation_is_checked() -> None:
    operations, _ = _definitions()
    assert sorted(set(operations) - set(ALL_OPERATIONS)) == []


def test_vendored_contract_matches_the_shared_one() -> None:
    if not SHARED_CONTRACT_DIR.is_dir():
        pytest.skip("../shared/contract is not beside this checkout")
    for shared in SHARED_CONTRACT_DIR.glob("*.graphql"):
        ours = CONTRACT_DIR / shared.name
        assert ours.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8"), (
            f"tests/contract/{shared.name} differs from the shared contract: copy it again"
        )
    # Wave files are vendored as their issue lands; each one here equals the shared one.
    for ours in CONTRACT_DIR.glob("wave*/*.graphql"):
        relative = ours.relative_to(CONTRACT_DIR)
        shared = SHARED_CONTRACT_DIR / relative
        assert shared.is_file(), f"tests/contract/{relative} is not in the shared contract"
        assert ours.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8"), (
            f"tests/contract/{relative} differs from the shared contract: copy it again"
        )


def test_dev_login_exists_only_when_the_flag_is_on() -> None:
    with_flag = build_schema(dev_login=True)
    without = build_schema(dev_login=False)
    doc = operation_document("DevLogin")
    assert validate(with_flag._schema, doc) == []
    assert validate(without._schema, doc) != []
