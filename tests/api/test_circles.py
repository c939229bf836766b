"""Circles: operators open them, members join (openly or by approval) and post inside."""

from __future__ import annotations

import asyncio

from api.ids import to_global_id
from domain.models import Circle, CircleMember, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


async def _create(api: Api, token: str, name: str, policy: str = "OPEN") -> dict:
    result = await api.op(
        "CreateCircle",
        {"input": {"name": name, "description": "一起玩", "joinPolicy": policy}},
        token=token,
    )
    return result["data"]["createCircle"]["circle"]


async def test_an_operator_opens_a_circle_and_becomes_its_admin(api: Api, runtime: Runtime) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    circle = await _create(api, operator, "摄影爱好者")
    assert circle["name"] == "摄影爱好者" and circle["joinPolicy"] == "OPEN"
    assert (circle["memberCount"], circle["viewerIsAdmin"]) == (1, True)
    listed = await api.op("Circles", {"first": 10})
    nodes = [e["node"] for e in listed["data"]["circles"]["edges"]]
    assert nodes == [
        {
            "id": circle["id"],
            "name": "摄影爱好者",
            "description": "一起玩",
            "joinPolicy": "OPEN",
            "memberCount": 1,
            "viewerIsMember": False,
        }
    ]


async def test_members_cannot_open_circles_and_names_are_unique(api: Api, runtime: Runtime) -> None:
    member = token_for(runtime, await make_user())
    result = await api.op("CreateCircle", {"input": {"name": "我的圈"}}, token=member)
    assert error_codes(result) == ["FORBIDDEN"]
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    await _create(api, operator, "读书会")
    again = await api.op("CreateCircle", {"input": {"name": "读书会"}}, token=operator)
    assert again["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "name"}
    blank = await api.op("CreateCircle", {"input": {"name": " "}}, token=operator)
    assert blank["errors"][0]["extensions"]["field"] == "name"
    assert await Circle.all().count() == 1


async def test_joining_an_open_circle_is_immediate_and_idempotent(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    circle = await _create(api, operator, "跑步")
    member = token_for(runtime, await make_user())
    results = await asyncio.gather(
        *(api.op("JoinCircle", {"circleId": circle["id"]}, token=member) for _ in range(5))
    )
    last = results[-1]["data"]["joinCircle"]
    assert last["pending"] is False
    assert last["circle"]["memberCount"] == 2 and last["circle"]["viewerIsMember"] is True
    left = await api.op("LeaveCircle", {"circleId": circle["id"]}, token=member)
    assert left["data"]["leaveCircle"]["circle"] == {
        "id": circle["id"],
        "memberCount": 1,
        "viewerIsMember": False,
    }
    again = await api.op("LeaveCircle", {"circleId": circle["id"]}, token=member)
    assert again["data"]["leaveCircle"]["circle"]["memberCount"] == 1


async def test_approval_circles_wait_for_an_admin(api: Api, runtime: Runtime) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    circle = await _create(api, operator, "核心成员", "APPROVAL")
    applicant = await make_user(nickname="申请人")
    token = token_for(runtime, applicant)
    joined = await api.op("JoinCircle", {"circleId": circle["id"]}, token=token)
    assert joined["data"]["joinCircle"]["pending"] is True
    assert joined["data"]["joinCircle"]["circle"]["memberCount"] == 1
    pending = await api.op("CirclePendingMembers", {"id": circle["id"]}, token=operator)
    assert pending["data"]["circle"]["pendingMembers"] == [
        {"id": to_global_id("User", applicant.id), "nickname": "申请人"}
    ]
    nosy = await api.op("CirclePendingMembers", {"id": circle["id"]}, token=token)
    assert error_codes(nosy) == ["FORBIDDEN"]
    outsider = token_for(runtime, await make_user())
    refused = await api.op(
        "ApproveCircleMember",
        {"circleId": circle["id"], "userId": to_global_id("User", applicant.id)},
        token=outsider,
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    approved = await api.op(
        "ApproveCircleMember",
        {"circleId": circle["id"], "userId": to_global_id("User", applicant.id)},
        token=operator,
    )
    assert approved["data"]["approveCircleMember"]["circle"]["memberCount"] == 2
    twice = await api.op(
        "ApproveCircleMember",
        {"circleId": circle["id"], "userId": to_global_id("User", applicant.id)},
        token=operator,
    )
    assert twice["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "userId"}


async def test_a_circle_admin_who_is_not_an_operator_can_approve(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    circle = await _create(api, operator, "志愿者", "APPROVAL")
    admin = await make_user()
    await CircleMember.create(circle=await Circle.get(name="志愿者"), user=admin, role="ADMIN")
    applicant = await make_user()
    await api.op("JoinCircle", {"circleId": circle["id"]}, token=token_for(runtime, applicant))
    approved = await api.op(
        "ApproveCircleMember",
        {"circleId": circle["id"], "userId": to_global_id("User", applicant.id)},
        token=token_for(runtime, admin),
    )
    assert "errors" not in approved


async def test_posting_into_a_circle_needs_membership_and_shows_in_its_feed(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    circle = await _create(api, operator, "咖啡")
    member = token_for(runtime, await make_user())
    outside = await api.op(
        "CreatePost", {"input": {"body": "圈外人发帖", "circleId": circle["id"]}}, token=member
    )
    assert error_codes(outside) == ["FORBIDDEN"]
    await api.op("JoinCircle", {"circleId": circle["id"]}, token=member)
    created = await api.op(
        "CreatePost", {"input": {"body": "今天的拿铁", "circleId": circle["id"]}}, token=member
    )
    post = created["data"]["createPost"]["post"]
    assert post["circle"] == {"id": circle["id"], "name": "咖啡"}
    feed = await api.op("CircleFeed", {"id": circle["id"]}, token=member)
    data = feed["data"]["circle"]
    assert (data["viewerIsMember"], data["viewerIsAdmin"]) == (True, False)
    assert [e["node"]["id"] for e in data["posts"]["edges"]] == [post["id"]]
    missing = await api.op(
        "CreatePost",
        {"input": {"body": "x", "circleId": to_global_id("Circle", 999)}},
        token=member,
    )
    assert missing["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "circleId"}
