"""The console's review workbench through its own operations: the filtered, counted queue with
SLAs, claims, bulk decisions with violation types, the history, the overview and metrics."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from api.ids import to_global_id
from domain.models import (
    JoinPolicy,
    PostStatus,
    ReportReason,
    ReviewStage,
    ReviewStatus,
    ReviewTask,
    Role,
    User,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    make_circle,
    make_circle_member,
    make_comment,
    make_feedback,
    make_post,
    make_report,
    make_review_task,
    make_user,
    token_for,
)


def _gid(task: ReviewTask) -> str:
    return to_global_id("ReviewTask", task.id)


async def _workbench(
    api: Api, token: str, stage: str = "FIRST", review_filter: dict | None = None, **more: object
) -> dict:
    variables = {"stage": stage, "filter": review_filter, **more}
    result = await api.op("ReviewWorkbench", variables, token=token)
    assert "errors" not in result, result
    return result["data"]["reviewQueue"]


def _ids(queue: dict) -> list[str]:
    return [edge["node"]["id"] for edge in queue["edges"]]


async def _decide(
    api: Api, token: str, tasks: list[str], decision: str, **more: object
) -> list[dict]:
    variables = {"taskIds": tasks, "decision": decision, **more}
    result = await api.op("DecideReviews", variables, token=token)
    assert "errors" not in result, result
    return result["data"]["decideReviews"]["results"]


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at)


async def test_the_workbench_filters_and_counts_the_queue_and_shows_each_tasks_clock(
    api: Api, runtime: Runtime
) -> None:
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    held = await make_post(body="海外代购", status=PostStatus.PENDING_REVIEW)
    reported = await make_post(body="加我微信")
    await make_report(reported, reason=ReportReason.SPAM)
    await make_report(reported, reason=ReportReason.ABUSE)
    comment = await make_comment(await make_post())
    await make_report(comment, reason=ReportReason.FRAUD)
    appealed = await make_post(body="被驳回", status=PostStatus.REJECTED)
    appeal = await api.op(
        "AppealRejection",
        {"postId": to_global_id("Post", appealed.id), "reason": "误判"},
        token=token_for(runtime, await User.get(id=appealed.author_id)),  # type: ignore[attr-defined]
    )
    appeal_id = appeal["data"]["appealRejection"]["task"]["id"]
    tasks = {t.target_id: _gid(t) for t in await ReviewTask.filter(target_type="POST")}
    comment_task = _gid(await ReviewTask.get(target_type="COMMENT", target_id=comment.id))

    queue = await _workbench(api, moderator)
    assert queue["totalCount"] == 3
    assert _ids(queue) == [tasks[held.id], tasks[reported.id], comment_task]
    nodes = {edge["node"]["id"]: edge["node"] for edge in queue["edges"]}
    word, report = nodes[tasks[held.id]], nodes[tasks[reported.id]]
    assert (word["source"], word["reportReasons"], word["reportCount"]) == ("WORD", [], 0)
    assert (report["source"], report["reportReasons"]) == ("REPORT", ["ABUSE", "SPAM"])
    target = report["target"]
    assert (target["__typename"], target["id"], target["body"], target["status"]) == (
        "Post",
        to_global_id("Post", reported.id),
        "加我微信",
        "PUBLISHED",
    )
    assert target["author"]["id"] == to_global_id("User", reported.author_id)  # type: ignore[attr-defined]
    assert nodes[comment_task]["target"]["__typename"] == "Comment"
    for node in nodes.values():
        entered = _parse(node["stageEnteredAt"])
        assert _parse(node["dueAt"]) - entered == timedelta(hours=2)
        assert (node["claimedBy"], node["claimExpiresAt"], node["history"]) == (None, None, [])

    async def filtered(review_filter: dict, stage: str = "FIRST") -> list[str]:
        found = await _workbench(api, moderator, stage, review_filter)
        assert found["totalCount"] == len(found["edges"])
        return _ids(found)

    assert await filtered({"reportReasons": ["SPAM", "PORN"]}) == [tasks[reported.id]]
    assert await filtered({"reportReasons": ["FRAUD"]}) == [comment_task]
    assert await filtered({"sources": ["WORD"]}) == [tasks[held.id]]
    assert await filtered({"targetType": "COMMENT"}) == [comment_task]
    assert await filtered({"minReports": 2}) == [tasks[reported.id]]
    assert await filtered({"createdAfter": "2999-01-01T00:00:00Z"}) == []
    assert len(await filtered({"createdBefore": "2999-01-01T00:00:00Z", "sources": []})) == 3
    assert await filtered({"appealsOnly": True}, "FINAL") == [appeal_id]
    assert await filtered({"appealsOnly": False}, "FINAL") == []
    final = await _workbench(api, moderator, "FINAL")
    [node] = [edge["node"] for edge in final["edges"]]
    assert (node["source"], node["appeal"]) == ("APPEAL", True)
    assert _parse(node["dueAt"]) - _parse(node["stageEnteredAt"]) == timedelta(hours=24)

    page = await _workbench(api, moderator, first=1)
    assert (page["totalCount"], len(page["edges"]), page["pageInfo"]["hasNextPage"]) == (3, 1, True)
    rest = await _workbench(api, moderator, after=page["pageInfo"]["endCursor"])
    assert _ids(page) + _ids(rest) == _ids(queue)


async def test_escalation_restarts_the_stage_clock_and_the_history_keeps_each_decision(
    api: Api, runtime: Runtime
) -> None:
    first, second = await make_user(role=Role.MODERATOR), await make_user(role=Role.MODERATOR)
    operator = await make_user(role=Role.OPERATOR)
    post = await make_post(body="兼职刷单", status=PostStatus.PENDING_REVIEW)
    task = await ReviewTask.get(target_id=post.id)
    hours_ago = datetime.now(UTC) - timedelta(hours=3)
    await ReviewTask.filter(id=task.id).update(stage_entered_at=hours_ago, created_at=hours_ago)

    [result] = await _decide(
        api,
        token_for(runtime, first),
        [_gid(task)],
        "REJECT",
        violation="FRAUD",
        note="刷单广告",
    )
    assert (result["ok"], result["errorCode"], result["task"]["stage"]) == (True, None, "SECOND")
    # The second reviewer is not the first: refused for them, per item, and shown as such.
    [same] = await _decide(api, token_for(runtime, first), [_gid(task)], "REJECT")
    assert (same["ok"], same["errorCode"], same["task"]) == (False, "FORBIDDEN", None)
    [node] = [
        e["node"] for e in (await _workbench(api, token_for(runtime, second), "SECOND"))["edges"]
    ]
    assert _parse(node["stageEnteredAt"]) > hours_ago + timedelta(hours=2)
    assert _parse(node["dueAt"]) - _parse(node["stageEnteredAt"]) == timedelta(hours=8)
    [entry] = node["history"]
    assert {k: entry[k] for k in ("stage", "decision", "violation", "note")} == {
        "stage": "FIRST",
        "decision": "REJECT",
        "violation": "FRAUD",
        "note": "刷单广告",
    }
    assert entry["actor"] == {"id": to_global_id("User", first.id), "nickname": first.nickname}

    await _decide(api, token_for(runtime, second), [_gid(task)], "ESCALATE", violation="SPAM")
    [by_moderator] = await _decide(api, token_for(runtime, second), [_gid(task)], "APPROVE")
    assert by_moderator["errorCode"] == "FORBIDDEN"  # FINAL is for operators
    [done] = await _decide(api, token_for(runtime, operator), [_gid(task)], "APPROVE")
    assert done["task"] == {"id": _gid(task), "stage": "FINAL", "status": "APPROVED"}
    await post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    decisions = [
        (d.stage, d.decision, d.violation) for d in await task.decisions.all().order_by("id")
    ]  # type: ignore[attr-defined]
    assert decisions == [
        (ReviewStage.FIRST, "REJECT", ReportReason.FRAUD),
        (ReviewStage.SECOND, "ESCALATE", ReportReason.SPAM),
        (ReviewStage.FINAL, "APPROVE", None),
    ]


async def test_a_claim_keeps_other_reviewers_from_deciding_until_it_ends(
    api: Api, runtime: Runtime
) -> None:
    holder = await make_user(role=Role.MODERATOR, nickname="张三")
    other = await make_user(role=Role.MODERATOR)
    holder_token, other_token = token_for(runtime, holder), token_for(runtime, other)
    post = await make_post(body="待审", status=PostStatus.PENDING_REVIEW)
    task = _gid(await ReviewTask.get(target_id=post.id))

    claimed = await api.op("ClaimReviewTask", {"taskId": task}, token=holder_token)
    claim = claimed["data"]["claimReviewTask"]["task"]
    assert claim["claimedBy"] == {"id": to_global_id("User", holder.id), "nickname": "张三"}
    lease = _parse(claim["claimExpiresAt"]) - datetime.now(UTC)
    assert timedelta(minutes=9) < lease <= timedelta(minutes=10)
    # Others see who holds it, cannot take it over, decide it or release it.
    [seen] = (await _workbench(api, other_token))["edges"]
    assert seen["node"]["claimedBy"]["nickname"] == "张三"
    taken = await api.op("ClaimReviewTask", {"taskId": task}, token=other_token)
    assert error_codes(taken) == ["CONFLICT"] and "张三" in taken["errors"][0]["message"]
    [refused] = await _decide(api, other_token, [task], "APPROVE")
    assert (refused["ok"], refused["errorCode"]) == (False, "CONFLICT")
    alone = await api.op("DecideReview", {"taskId": task, "decision": "APPROVE"}, token=other_token)
    assert error_codes(alone) == ["CONFLICT"]
    released = await api.op("ReleaseReviewTask", {"taskId": task}, token=other_token)
    assert error_codes(released) == ["FORBIDDEN"]
    # The holder renews and releases; then the other takes it, and deciding ends the claim.
    renewed = await api.op("ClaimReviewTask", {"taskId": task}, token=holder_token)
    assert renewed["data"]["claimReviewTask"]["task"]["claimedBy"]["nickname"] == "张三"
    released = await api.op("ReleaseReviewTask", {"taskId": task}, token=holder_token)
    assert released["data"]["releaseReviewTask"]["task"] == {"id": task, "claimedBy": None}
    await api.op("ClaimReviewTask", {"taskId": task}, token=other_token)
    [decided] = await _decide(api, other_token, [task], "REJECT", violation="SPAM")
    assert decided["ok"]
    stored = await ReviewTask.get(target_id=post.id)
    assert (stored.claimed_by_id, stored.claim_expires_at) == (None, None)  # type: ignore[attr-defined]

    # A lease that ran out holds nobody back; an operator releases anyone's.
    await ReviewTask.filter(id=stored.id).update(
        claimed_by_id=holder.id, claim_expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    [node] = [e["node"] for e in (await _workbench(api, other_token, "SECOND"))["edges"]]
    assert (node["claimedBy"], node["claimExpiresAt"]) == (None, None)
    third = await make_user(role=Role.MODERATOR)
    again = await api.op("ClaimReviewTask", {"taskId": task}, token=token_for(runtime, third))
    assert "errors" not in again, again
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    released = await api.op("ReleaseReviewTask", {"taskId": task}, token=operator)
    assert released["data"]["releaseReviewTask"]["task"]["claimedBy"] is None


async def test_a_bulk_decision_decides_each_task_it_may_and_says_why_not_for_the_rest(
    api: Api, runtime: Runtime
) -> None:
    moderator = await make_user(role=Role.MODERATOR)
    token = token_for(runtime, moderator)
    posts = [await make_post(body=f"广告{i}", status=PostStatus.PENDING_REVIEW) for i in range(2)]
    own = await make_post(moderator, "我自己的", status=PostStatus.PENDING_REVIEW)
    ids = [_gid(await ReviewTask.get(target_id=p.id)) for p in (*posts, own)]
    not_a_task = to_global_id("Post", posts[0].id)

    results = await _decide(
        api, token, [ids[0], ids[2], not_a_task, ids[1]], "REJECT", violation="SPAM"
    )
    assert [(r["taskId"], r["ok"], r["errorCode"]) for r in results] == [
        (ids[0], True, None),
        (ids[2], False, "FORBIDDEN"),  # one's own content waits for another reviewer
        (not_a_task, False, "BAD_USER_INPUT"),
        (ids[1], True, None),
    ]
    assert [r["task"]["stage"] if r["task"] else None for r in results] == [
        "SECOND",
        None,
        None,
        "SECOND",
    ]
    own_task = await ReviewTask.get(target_id=own.id)
    assert (own_task.stage, own_task.status) == (ReviewStage.FIRST, ReviewStatus.OPEN)

    approve_with_violation = await api.op(
        "DecideReviews",
        {"taskIds": [ids[2]], "decision": "APPROVE", "violation": "SPAM"},
        token=token,
    )
    assert error_codes(approve_with_violation) == ["BAD_USER_INPUT"]
    too_many = await api.op(
        "DecideReviews",
        {"taskIds": [f"x{i}" for i in range(51)], "decision": "APPROVE"},
        token=token,
    )
    assert error_codes(too_many) == ["BAD_USER_INPUT"]


async def test_the_overview_counts_open_work_per_stage_with_what_is_overdue(
    api: Api, runtime: Runtime
) -> None:
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    late = await make_review_task(await make_post(body="等了很久"))
    await make_review_task(await make_post(body="刚来"))
    escalated = await make_review_task(await make_post(body="复审中"))
    await ReviewTask.filter(id=escalated.id).update(stage=ReviewStage.SECOND)
    appeal = await make_review_task(await make_post(body="申诉"))
    await ReviewTask.filter(id=appeal.id).update(stage=ReviewStage.FINAL, appeal=True)
    closed = await make_review_task(await make_post(body="已处理"))
    await ReviewTask.filter(id=closed.id).update(status=ReviewStatus.APPROVED)
    three_hours_ago = datetime.now(UTC) - timedelta(hours=3)
    await ReviewTask.filter(id=late.id).update(stage_entered_at=three_hours_ago)
    await make_feedback()
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL)
    await make_circle_member(circle, pending=True)

    result = await api.op("ConsoleOverview", token=moderator)
    overview = result["data"]["consoleOverview"]
    stages = {s["stage"]: s for s in overview["reviewStages"]}
    assert {k: (s["openCount"], s["overdueCount"]) for k, s in stages.items()} == {
        "FIRST": (2, 1),
        "SECOND": (1, 0),
        "FINAL": (1, 0),
    }
    oldest = _parse(stages["FIRST"]["oldestEnteredAt"])  # to the millisecond
    assert abs(oldest - three_hours_ago) < timedelta(milliseconds=1)
    assert (overview["openAppeals"], overview["openFeedback"]) == (1, 1)
    assert overview["pendingCircleMembers"] == 1


async def test_review_metrics_count_inflow_decisions_speed_and_each_reviewers_work(
    api: Api, runtime: Runtime
) -> None:
    fast, slow = await make_user(role=Role.MODERATOR), await make_user(role=Role.MODERATOR)
    operator = await make_user(role=Role.OPERATOR)
    tasks = [await make_review_task(await make_post(body=f"内容{i}")) for i in range(3)]
    # One task waited 5 hours at FIRST (past its 2-hour SLA), the others were decided at once.
    await ReviewTask.filter(id=tasks[0].id).update(
        stage_entered_at=datetime.now(UTC) - timedelta(hours=5)
    )
    await _decide(api, token_for(runtime, slow), [_gid(tasks[0])], "REJECT", violation="SPAM")
    await _decide(api, token_for(runtime, fast), [_gid(tasks[1]), _gid(tasks[2])], "APPROVE")
    await _decide(api, token_for(runtime, fast), [_gid(tasks[0])], "REJECT")
    today = runtime.rules.calendar.today()
    variables = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}

    refused = await api.op("ReviewMetrics", variables, token=token_for(runtime, slow))
    assert error_codes(refused) == ["FORBIDDEN"]
    result = await api.op("ReviewMetrics", variables, token=token_for(runtime, operator))
    metrics = result["data"]["reviewMetrics"]
    assert metrics["days"] == [
        {"date": variables["from"], "inflow": 0, "decided": 0, "decidedWithinSla": 0},
        {"date": variables["to"], "inflow": 3, "decided": 4, "decidedWithinSla": 3},
    ]
    stages = {s["stage"]: s for s in metrics["stages"]}
    assert stages["FIRST"]["decided"] == 3
    assert stages["FIRST"]["withinSlaRate"] == pytest.approx(2 / 3)
    assert stages["FIRST"]["p95Seconds"] > 4 * 3600 > stages["FIRST"]["medianSeconds"]
    assert (stages["SECOND"]["decided"], stages["SECOND"]["withinSlaRate"]) == (1, 1.0)
    assert stages["FINAL"] == {
        "stage": "FINAL",
        "decided": 0,
        "medianSeconds": None,
        "p95Seconds": None,
        "withinSlaRate": None,
    }
    assert [
        (m["moderator"]["id"], m["decided"], m["approved"], m["rejected"])
        for m in metrics["moderators"]
    ] == [
        (to_global_id("User", fast.id), 3, 2, 1),
        (to_global_id("User", slow.id), 1, 0, 1),
    ]
    assert metrics["appealsOverturned"] == 0


async def _queries(
    caplog: pytest.LogCaptureFixture, api: Api, name: str, variables: dict, token: str
) -> int:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        result = await api.op(name, variables, token=token)
    assert "errors" not in result, result
    return len([r for r in caplog.records if r.name == "tortoise.db_client"])


async def test_a_workbench_page_costs_the_same_queries_whatever_its_size(
    api: Api, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    moderators = [await make_user(role=Role.MODERATOR) for _ in range(3)]
    for i in range(12):
        post = await make_post(body=f"帖子{i}")
        await make_report(post, reason=ReportReason.SPAM)
        await make_report(post, reason=ReportReason.PORN)
        task = await ReviewTask.get(target_type="POST", target_id=post.id)
        await _decide(
            api, token_for(runtime, moderators[i % 2]), [_gid(task)], "ESCALATE", violation="SPAM"
        )
        await api.op(
            "ClaimReviewTask", {"taskId": _gid(task)}, token=token_for(runtime, moderators[2])
        )
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    small = await _queries(caplog, api, "ReviewWorkbench", {"stage": "SECOND", "first": 3}, token)
    large = await _queries(caplog, api, "ReviewWorkbench", {"stage": "SECOND", "first": 12}, token)
    # viewer, own tasks, the page, the count, report reasons, history, posts, and members at
    # each depth (claim holders, then deciders, then authors; two of these batches merge when
    # their loads land in the same tick): one query each, whatever the size
    assert small <= 10 and large <= 10, (small, large)
