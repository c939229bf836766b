"""Who may use the console's moderation operations (wave2/console-moderation.graphql): a member
gets FORBIDDEN for every one and nothing changes; moderators are refused what operators do."""

from __future__ import annotations

from graphql import OperationDefinitionNode, parse

from api.ids import to_global_id
from domain import console_login
from domain.models import (
    ModerationAction,
    Post,
    ReviewDecision,
    ReviewTask,
    Role,
    Sanction,
    SensitiveWord,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.contract import CONTRACT_DIR
from tests.factories import make_post, make_review_task, make_user, token_for


def wave_operations() -> list[str]:
    document = parse((CONTRACT_DIR / "wave2" / "console-moderation.graphql").read_text("utf-8"))
    return [
        d.name.value
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.name
    ]


async def _snapshot(runtime: Runtime, nonce: str) -> dict[str, object]:
    return {
        "posts": await Post.all().values("id", "status"),
        "tasks": await ReviewTask.all().values("id", "stage", "status", "claimed_by_id"),
        "decisions": await ReviewDecision.all().count(),
        "sanctions": await Sanction.all().count(),
        "words": await SensitiveWord.all().values("word", "hit_count"),
        "log": await ModerationAction.all().count(),
        "login": await runtime.redis.hgetall(runtime.store.key("console_login", nonce)),
    }


async def test_a_member_is_forbidden_every_console_moderation_operation(
    api: Api, runtime: Runtime
) -> None:
    victim = await make_user()
    post = await make_post(victim, "一条帖子")
    task = await make_review_task(post)
    request = await console_login.request_login(runtime.store, "203.0.113.9", "Firefox")
    user_id = to_global_id("User", victim.id)
    task_id = to_global_id("ReviewTask", task.id)
    variables = {
        "ConsoleLoginRequest": {"nonce": request.nonce},
        "ApproveConsoleLogin": {"nonce": request.nonce},
        "ConsoleOverview": {},
        "ReviewWorkbench": {"stage": "FIRST", "filter": {"sources": ["WORD"]}},
        "ClaimReviewTask": {"taskId": task_id},
        "ReleaseReviewTask": {"taskId": task_id},
        "DecideReviews": {"taskIds": [task_id], "decision": "APPROVE"},
        "ReviewMetrics": {"from": "2026-01-01", "to": "2026-01-07"},
        "Sanctions": {"active": True},
        "HideMemberContent": {"userId": user_id, "since": "2020-01-01T00:00:00Z", "reason": "x"},
        "MemberRecord": {"userId": user_id},
        "SensitiveWords": {},
        "CheckText": {"text": "赌博"},
        "ModerationLogFiltered": {"filter": {"actions": ["MUTE"]}},
    }
    assert sorted(variables) == sorted(wave_operations())
    member = token_for(runtime, await make_user())
    before = await _snapshot(runtime, request.nonce)
    for name in wave_operations():
        result = await api.op(name, variables[name], token=member)
        assert error_codes(result) == ["FORBIDDEN"], (name, result)
        anonymous = await api.op(name, variables[name])
        assert error_codes(anonymous) == ["UNAUTHENTICATED"], (name, anonymous)
    assert await _snapshot(runtime, request.nonce) == before

    # Moderators do the rest; the log and the metrics are for operators.
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    for name in ("ModerationLogFiltered", "ReviewMetrics"):
        result = await api.op(name, variables[name], token=moderator)
        assert error_codes(result) == ["FORBIDDEN"], (name, result)
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    for name in ("ModerationLogFiltered", "ReviewMetrics"):
        result = await api.op(name, variables[name], token=operator)
        assert "errors" not in result, (name, result)
    for name in ("ConsoleOverview", "ReviewWorkbench", "Sanctions", "MemberRecord", "CheckText"):
        result = await api.op(name, variables[name], token=moderator)
        assert "errors" not in result, (name, result)
