"""Collections edited, reordered and deleted; circle requests turned down and circle admins
appointed (wave2/console-operations.graphql)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from api.ids import to_global_id
from domain.content_status import set_status
from domain.models import (
    CircleMember,
    Collection,
    CollectionItem,
    JoinPolicy,
    ModerationAction,
    Post,
    PostStatus,
    Role,
    TargetType,
    User,
    WordLevel,
)
from domain.screening import add_words
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    make_circle,
    make_circle_admin,
    make_circle_member,
    make_collection,
    make_post,
    make_user,
    token_for,
)


async def test_a_collection_changes_only_what_is_given(api: Api, runtime: Runtime) -> None:
    await add_words(await make_user(role=Role.ADMIN), runtime.store, ["赌博"], WordLevel.BLOCK)
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    collection = await make_collection(operator, "新人必读", description="从这里开始")
    gid = to_global_id("Collection", collection.id)
    cover = "https://cdn.example.com/c.png"
    changed = await api.op(
        "UpdateCollection",
        {"id": gid, "input": {"title": " 新人 指南 ", "coverUrl": cover}},
        token=token,
    )
    assert changed["data"]["updateCollection"]["collection"] == {
        "id": gid,
        "title": "新人 指南",
        "description": "从这里开始",
        "coverUrl": cover,
    }
    nothing = await api.op(
        "UpdateCollection", {"id": gid, "input": {"description": None}}, token=token
    )
    assert nothing["data"]["updateCollection"]["collection"]["description"] == "从这里开始"
    refused = [
        ({"title": ""}, "title"),
        ({"title": "长" * 61}, "title"),
        ({"description": "长" * 501}, "description"),
        ({"coverUrl": "http://cdn.example.com/c.png"}, "coverUrl"),
    ]
    for change, field in refused:
        result = await api.op("UpdateCollection", {"id": gid, "input": change}, token=token)
        assert error_codes(result) == ["BAD_USER_INPUT"], change
        assert result["errors"][0]["extensions"]["field"] == field
    blocked = await api.op(
        "UpdateCollection", {"id": gid, "input": {"title": "赌博专题"}}, token=token
    )
    assert error_codes(blocked) == ["CONTENT_REJECTED"]
    member = token_for(runtime, await make_user())
    forbidden = await api.op("UpdateCollection", {"id": gid, "input": {"title": "x"}}, token=member)
    assert error_codes(forbidden) == ["FORBIDDEN"]
    kept = await Collection.get(id=collection.id)
    assert (kept.title, kept.cover_url) == ("新人 指南", cover)
    assert await ModerationAction.filter(action="UPDATE_COLLECTION").count() == 2


async def _order(
    api: Api, token: str, collection_id: str, post_id: str, position: int
) -> list[str]:
    variables = {"collectionId": collection_id, "postId": post_id, "position": position}
    result = await api.op("MoveInCollection", variables, token=token)
    assert "errors" not in result, result
    edges = result["data"]["moveInCollection"]["collection"]["posts"]["edges"]
    return [edge["node"]["id"] for edge in edges]


async def test_moving_a_post_reorders_the_collection_as_readers_see_it(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    a, b, c, d = [await make_post(operator, body) for body in "甲乙丙丁"]
    collection = await make_collection(operator, posts=[a, b, c, d])
    cid = to_global_id("Collection", collection.id)
    A, B, C, D = (to_global_id("Post", p.id) for p in (a, b, c, d))
    assert await _order(api, token, cid, D, 0) == [D, A, B, C]
    assert await _order(api, token, cid, D, 99) == [A, B, C, D]  # past the end: last
    assert await _order(api, token, cid, A, 2) == [B, C, A, D]
    assert await _order(api, token, cid, A, 2) == [B, C, A, D]  # again: no change
    async with in_transaction() as conn:
        await set_status(TargetType.POST, c.id, PostStatus.HIDDEN, conn)
    # Positions count the posts readers see: C is hidden and keeps its place among the rest.
    assert await _order(api, token, cid, D, 1) == [B, D, A]
    async with in_transaction() as conn:
        await set_status(TargetType.POST, c.id, PostStatus.PUBLISHED, conn)
    listed = await api.op("CollectionPosts", {"id": cid, "first": 10})
    assert [e["node"]["id"] for e in listed["data"]["collection"]["posts"]["edges"]] == [B, C, D, A]
    for variables, code, field in (
        ({"collectionId": cid, "postId": A, "position": -1}, "BAD_USER_INPUT", "position"),
        (
            {"collectionId": cid, "postId": to_global_id("Post", 999), "position": 0},
            "NOT_FOUND",
            "postId",
        ),
        (
            {"collectionId": to_global_id("Collection", 999), "postId": A, "position": 0},
            "NOT_FOUND",
            "collectionId",
        ),
    ):
        result = await api.op("MoveInCollection", variables, token=token)
        assert error_codes(result) == [code], variables
        assert result["errors"][0]["extensions"]["field"] == field
    member = token_for(runtime, await make_user())
    moved = {"collectionId": cid, "postId": A, "position": 0}
    assert error_codes(await api.op("MoveInCollection", moved, token=member)) == ["FORBIDDEN"]
    assert await _order(api, token, cid, A, 3) == [B, C, D, A]  # nothing moved by the member


async def test_deleting_a_collection_leaves_its_posts(api: Api, runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    post = await make_post(operator, "留下的帖子")
    collection = await make_collection(operator, posts=[post])
    gid = to_global_id("Collection", collection.id)
    member = token_for(runtime, await make_user())
    assert error_codes(await api.op("DeleteCollection", {"id": gid}, token=member)) == ["FORBIDDEN"]
    assert await Collection.exists(id=collection.id)
    deleted = await api.op("DeleteCollection", {"id": gid}, token=token)
    assert deleted["data"]["deleteCollection"] == {"ok": True}
    assert (await api.op("CollectionPosts", {"id": gid}))["data"]["collection"] is None
    assert not await CollectionItem.exists()
    assert (await Post.get(id=post.id)).status == PostStatus.PUBLISHED
    again = await api.op("DeleteCollection", {"id": gid}, token=token)
    assert error_codes(again) == ["NOT_FOUND"]


async def test_a_circle_admin_or_an_operator_turns_a_request_down(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    circle = await make_circle(operator, join_policy=JoinPolicy.APPROVAL)
    admin = await make_user()
    await make_circle_admin(circle, admin)
    asking, other = await make_user(), await make_user()
    for user in (asking, other):
        await make_circle_member(circle, user, pending=True)
    cid = to_global_id("Circle", circle.id)
    before = (await api.op("CirclePendingMembers", {"id": cid}, token=token_for(runtime, admin)))[
        "data"
    ]["circle"]
    assert len(before["pendingMembers"]) == 2
    outsider = token_for(runtime, await make_user())
    reject = {"circleId": cid, "userId": to_global_id("User", asking.id)}
    assert error_codes(await api.op("RejectCircleMember", reject, token=outsider)) == ["FORBIDDEN"]
    result = await api.op("RejectCircleMember", reject, token=token_for(runtime, admin))
    count = result["data"]["rejectCircleMember"]["circle"]["memberCount"]
    assert count == (await _active_members(circle.id))
    again = await api.op("RejectCircleMember", reject, token=token_for(runtime, operator))
    assert error_codes(again) == ["NOT_FOUND"]
    assert again["errors"][0]["extensions"]["field"] == "userId"
    other_too = {"circleId": cid, "userId": to_global_id("User", other.id)}
    assert "errors" not in await api.op(
        "RejectCircleMember", other_too, token=token_for(runtime, operator)
    )
    after = await api.op("CirclePendingMembers", {"id": cid}, token=token_for(runtime, admin))
    assert after["data"]["circle"]["pendingMembers"] == []
    # Turned down, not barred: they may ask again.
    joined = await api.op("JoinCircle", {"circleId": cid}, token=token_for(runtime, asking))
    assert joined["data"]["joinCircle"]["pending"] is True


async def _active_members(circle_id: int) -> int:
    return await CircleMember.filter(circle_id=circle_id, status="ACTIVE").count()


async def test_operators_appoint_circle_admins_who_then_run_the_circle(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR, nickname="运营")
    circle = await make_circle(operator, join_policy=JoinPolicy.APPROVAL)
    member = await make_user(nickname="新管理员")
    await make_circle_member(circle, member)
    cid, uid = to_global_id("Circle", circle.id), to_global_id("User", member.id)
    token = token_for(runtime, operator)
    appoint = {"circleId": cid, "userId": uid, "admin": True}
    for role in (Role.MEMBER, Role.MODERATOR):
        other = token_for(runtime, await make_user(role=role))
        assert error_codes(await api.op("SetCircleAdmin", appoint, token=other)) == ["FORBIDDEN"]
    result = await api.op("SetCircleAdmin", appoint, token=token)
    admins = result["data"]["setCircleAdmin"]["circle"]["admins"]
    assert admins == [
        {"id": to_global_id("User", operator.id), "nickname": "运营"},  # its creator, first
        {"id": uid, "nickname": "新管理员"},
    ]
    asking = await make_user()
    await make_circle_member(circle, asking, pending=True)
    approve = {"circleId": cid, "userId": to_global_id("User", asking.id)}
    approved = await api.op("ApproveCircleMember", approve, token=token_for(runtime, member))
    assert "errors" not in approved
    repeat = await api.op("SetCircleAdmin", appoint, token=token)  # already: nothing changes
    assert len(repeat["data"]["setCircleAdmin"]["circle"]["admins"]) == 2
    dismissed = await api.op("SetCircleAdmin", {**appoint, "admin": False}, token=token)
    assert [a["id"] for a in dismissed["data"]["setCircleAdmin"]["circle"]["admins"]] == [
        to_global_id("User", operator.id)
    ]
    logged = ModerationAction.filter(target_id=member.id, action__contains="CIRCLE_ADMIN")
    actions = await logged.order_by("id").values_list("action", flat=True)
    assert actions == ["SET_CIRCLE_ADMIN", "UNSET_CIRCLE_ADMIN"]  # the repeat logged nothing
    stranger = {
        "circleId": cid,
        "userId": to_global_id("User", (await make_user()).id),
        "admin": True,
    }
    refused = await api.op("SetCircleAdmin", stranger, token=token)
    assert error_codes(refused) == ["NOT_FOUND"]
    assert refused["errors"][0]["extensions"]["field"] == "userId"
    await User.filter(id=member.id).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    banned = await api.op("SetCircleAdmin", appoint, token=token)
    assert error_codes(banned) == ["CONFLICT"]
    assert not await CircleMember.filter(user_id=member.id, role="ADMIN").exists()
