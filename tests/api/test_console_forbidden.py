"""Every operator-console operation, called by a member, answers FORBIDDEN and changes nothing."""

from __future__ import annotations

from graphql import validate

from api.ids import to_global_id
from api.schema import build_schema
from domain.circles import create_circle, join_circle
from domain.models import (
    Circle,
    Collection,
    Event,
    Feedback,
    ModerationAction,
    Post,
    ReviewTask,
    Role,
    Sanction,
    SanctionKind,
    SensitiveWord,
    TargetType,
    User,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.contract import CONTRACT_DIR, operation_document
from tests.factories import make_post, make_user, token_for


def console_operations() -> list[str]:
    from graphql import OperationDefinitionNode, parse

    doc = parse((CONTRACT_DIR / "console.graphql").read_text(encoding="utf-8"))
    return [
        d.name.value for d in doc.definitions if isinstance(d, OperationDefinitionNode) and d.name
    ]


async def test_a_member_is_forbidden_every_console_operation(api: Api, runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    circle = await create_circle(operator, "测试圈")
    applicant = await make_user()
    await join_circle(applicant, circle.id)
    victim = await make_user()
    post = await make_post(victim, "一条帖子")
    collection = await Collection.create(title="专题", created_by=operator)
    task = await ReviewTask.create(target_type=TargetType.POST, target_id=post.id)
    event = await Event.create(
        title="活动",
        kind="OFFLINE",
        starts_at=post.created_at,
        ends_at=post.created_at,
        signup_deadline=post.created_at,
        checkin_secret="s",
    )
    ticket = await Feedback.create(author=victim, category="BUG", content="有问题")
    sanction = await Sanction.create(
        user=victim, kind=SanctionKind.MUTE, until=post.created_at, reason="x", actor=operator
    )
    ids = {
        "postId": to_global_id("Post", post.id),
        "userId": to_global_id("User", victim.id),
        "circleId": to_global_id("Circle", circle.id),
        "collectionId": to_global_id("Collection", collection.id),
        "taskId": to_global_id("ReviewTask", task.id),
        "sanctionId": to_global_id("Sanction", sanction.id),
        "eventId": to_global_id("Event", event.id),
    }
    variables = {
        "PinPost": {"postId": ids["postId"], "scope": "GLOBAL"},
        "UnpinPost": {"postId": ids["postId"]},
        "FeaturePost": {"postId": ids["postId"], "reason": "x"},
        "UnfeaturePost": {"postId": ids["postId"]},
        "CreateCollection": {"input": {"title": "偷偷建专题"}},
        "AddToCollection": {"collectionId": ids["collectionId"], "postId": ids["postId"]},
        "RemoveFromCollection": {"collectionId": ids["collectionId"], "postId": ids["postId"]},
        "CreateCircle": {"input": {"name": "偷偷建圈"}},
        "CirclePendingMembers": {"id": ids["circleId"]},
        "ApproveCircleMember": {"circleId": ids["circleId"], "userId": ids["userId"]},
        "CreateEvent": {
            "input": {
                "title": "偷偷办活动",
                "kind": "OFFLINE",
                "startsAt": "2030-01-01T10:00:00+08:00",
                "endsAt": "2030-01-01T12:00:00+08:00",
            }
        },
        "EventStats": {"eventId": ids["eventId"]},
        "IssueEventCheckInCode": {"eventId": ids["eventId"]},
        "ReviewQueue": {"stage": "FIRST"},
        "DecideReview": {"taskId": ids["taskId"], "decision": "APPROVE"},
        "SanctionUser": {"userId": ids["userId"], "kind": "MUTE", "hours": 1, "reason": "x"},
        "LiftSanction": {"sanctionId": ids["sanctionId"]},
        "AddSensitiveWords": {"words": ["坏词"], "level": "BLOCK"},
        "RemoveSensitiveWords": {"words": ["坏词"]},
        "SetUserRole": {"userId": ids["userId"], "role": "ADMIN"},
        "ModerationLog": {},
        "FeedbackTickets": {},
        "ReplyFeedback": {
            "id": to_global_id("Feedback", ticket.id),
            "reply": "x",
            "status": "RESOLVED",
        },
        "CommunityMetrics": {"from": "2026-01-01", "to": "2026-01-07"},
        "RetentionCohorts": {"from": "2026-01-01", "to": "2026-01-07", "days": [1]},
        "ShareFunnel": {"from": "2026-01-01", "to": "2026-01-07"},
        "AtRiskUsers": {},
        "UserSegments": {},
        "RecommenderStatus": {},
        "RetrainRecommender": {},
        "RefreshTrending": {},
    }
    schema = build_schema(dev_login=True)._schema
    member = token_for(runtime, await make_user())
    served, not_yet = [], []
    before = await _snapshot()
    for name in console_operations():
        if validate(schema, operation_document(name)):
            not_yet.append(name)  # its feature has not landed yet
            continue
        result = await api.op(name, variables[name], token=member)
        codes = [e["extensions"]["code"] for e in result.get("errors") or []]
        assert codes == ["FORBIDDEN"], (name, result)
        served.append(name)
    assert await _snapshot() == before
    assert len(served) >= 23, served


async def _snapshot() -> dict[str, object]:
    return {
        "posts": await Post.all().values("id", "pin_scope", "featured_at", "status"),
        "circles": await Circle.all().values("id", "member_count"),
        "collections": await Collection.all().count(),
        "tasks": await ReviewTask.all().values("id", "stage", "status"),
        "sanctions": await Sanction.all().values("id", "lifted_at"),
        "words": await SensitiveWord.all().count(),
        "roles": await User.all().values("id", "role", "muted_until"),
        "log": await ModerationAction.all().count(),
        "events": await Event.all().count(),
        "feedback": await Feedback.all().values("status", "reply"),
    }
