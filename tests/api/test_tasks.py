"""The task centre through the wave's operations: a new member's onboarding tasks move as they
act, a reward is paid once under 20 concurrent claims, and old history pays nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import Notification, PointsEntry, PointsReason, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_post, make_topic, make_user, token_for


async def _tasks(api: Api, token: str) -> dict[str, dict]:
    result = await api.op("Tasks", token=token)
    return {t["code"]: t for t in result["data"]["tasks"]}


async def test_a_new_members_onboarding_tasks_move_as_they_act(api: Api, runtime: Runtime) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    tasks = await _tasks(api, token)
    assert set(tasks) == {
        "COMPLETE_PROFILE", "FOLLOW_TOPICS", "JOIN_CIRCLE", "FIRST_POST", "FIRST_COMMENT",
        "FIRST_CHECK_IN", "DAILY_CHECK_IN", "DAILY_LIKE", "DAILY_COMMENT", "DAILY_SHARE",
    }  # fmt: skip
    assert tasks["FOLLOW_TOPICS"]["progress"] == 0 and tasks["FOLLOW_TOPICS"]["target"] == 3
    assert tasks["FIRST_POST"]["title"] == "发布第一条帖子"

    for name in ("徒步", "摄影"):
        topic = await make_topic(name)
        await api.op("FollowTopic", {"topicId": to_global_id("Topic", topic.id)}, token=token)
    assert (await _tasks(api, token))["FOLLOW_TOPICS"]["progress"] == 2
    early = await api.op("ClaimTaskReward", {"code": "FOLLOW_TOPICS"}, token=token)
    assert error_codes(early) == ["CONFLICT"]

    await api.op("CheckIn", token=token)
    post = await make_post(await make_user())
    for _ in range(1):
        await api.op("LikePost", {"postId": to_global_id("Post", post.id)}, token=token)
    tasks = await _tasks(api, token)
    assert tasks["FIRST_CHECK_IN"]["completed"] and tasks["DAILY_CHECK_IN"]["completed"]
    assert tasks["DAILY_LIKE"]["progress"] == 1 and not tasks["DAILY_LIKE"]["completed"]

    before = (await User.get(id=member.id)).points
    claimed = await api.op("ClaimTaskReward", {"code": "FIRST_CHECK_IN"}, token=token)
    payload = claimed["data"]["claimTaskReward"]
    assert payload["task"] == {"code": "FIRST_CHECK_IN", "completed": True, "rewardClaimed": True}
    assert payload["viewer"]["points"] == before + 5
    again = await api.op("ClaimTaskReward", {"code": "FIRST_CHECK_IN"}, token=token)
    assert error_codes(again) == ["CONFLICT"]

    # The inbox mentions the completed onboarding task once, however often tasks are read.
    for _ in range(2):
        await _tasks(api, token)
    inbox = await api.op("NotificationsAboutAnswers", {"first": 20}, token=token)
    assert [e["node"]["kind"] for e in inbox["data"]["notifications"]["edges"]].count(
        "TASK_DONE"
    ) == 1
    done = await Notification.filter(recipient_id=member.id, kind="TASK_DONE").values_list(
        "snippet", flat=True
    )
    assert sorted(done) == ["FIRST_CHECK_IN"]
    unknown = await api.op("ClaimTaskReward", {"code": "NOPE"}, token=token)
    assert error_codes(unknown) == ["NOT_FOUND"]


async def test_twenty_concurrent_claims_pay_once(api: Api, runtime: Runtime) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    await api.op("CheckIn", token=token)
    before = (await User.get(id=member.id)).points
    results = await asyncio.gather(
        *(api.op("ClaimTaskReward", {"code": "DAILY_CHECK_IN"}, token=token) for _ in range(20))
    )
    assert sum("errors" not in r for r in results) == 1
    assert {tuple(error_codes(r)) for r in results if "errors" in r} == {("CONFLICT",)}
    assert (await User.get(id=member.id)).points == before + 2
    assert await PointsEntry.filter(user_id=member.id, reason=PointsReason.TASK_REWARD).count() == 1


async def test_old_members_and_old_history_get_no_onboarding(api: Api, runtime: Runtime) -> None:
    veteran = await make_user()
    await make_post(veteran, "很久以前的帖子")
    await User.filter(id=veteran.id).update(created_at=datetime.now(UTC) - timedelta(days=400))
    tasks = await _tasks(api, token_for(runtime, veteran))
    assert sorted(tasks) == ["DAILY_CHECK_IN", "DAILY_COMMENT", "DAILY_LIKE", "DAILY_SHARE"]
    refused = await api.op(
        "ClaimTaskReward", {"code": "FIRST_POST"}, token=token_for(runtime, veteran)
    )
    assert error_codes(refused) == ["NOT_FOUND"]


async def test_a_completed_task_is_announced_when_the_member_acts_not_only_in_the_task_centre(
    api: Api, runtime: Runtime
) -> None:
    """The member never opens the task centre: their first post, and their third topic
    followed, each tell them at once; a member past their first days is not asked about."""
    member = await make_user()
    token = token_for(runtime, member)

    async def announced(user: User) -> list[str]:
        return sorted(
            await Notification.filter(recipient_id=user.id, kind="TASK_DONE").values_list(
                "snippet", flat=True
            )
        )

    created = await api.op("CreatePost", {"input": {"body": "大家好，我是新来的"}}, token=token)
    assert "errors" not in created, created
    assert await announced(member) == ["FIRST_POST"]
    for name in ("徒步", "摄影", "读书"):
        topic = await make_topic(name)
        await api.op("FollowTopic", {"topicId": to_global_id("Topic", topic.id)}, token=token)
    assert await announced(member) == ["FIRST_POST", "FOLLOW_TOPICS"]
    inbox = await api.op("NotificationsAboutAnswers", {"first": 20}, token=token)
    kinds = [e["node"]["kind"] for e in inbox["data"]["notifications"]["edges"]]
    assert kinds.count("TASK_DONE") == 2

    veteran = await make_user()
    await User.filter(id=veteran.id).update(created_at=datetime.now(UTC) - timedelta(days=60))
    old = token_for(runtime, veteran)
    assert "errors" not in await api.op("CreatePost", {"input": {"body": "老朋友了"}}, token=old)
    assert await announced(veteran) == []
