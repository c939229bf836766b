"""Moderation end to end: words, review stages and appeals, reports, sanctions, roles, log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import (
    Comment,
    ModerationAction,
    Post,
    PostStatus,
    Report,
    ReportStatus,
    Role,
    User,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_post, make_user, token_for
from tests.wechat_stub import WeChatStub


async def _words(api: Api, token: str, words: list[str], level: str) -> None:
    result = await api.op("AddSensitiveWords", {"words": words, "level": level}, token=token)
    assert result["data"]["addSensitiveWords"]["count"] == len(words), result


async def _operator(runtime: Runtime) -> str:
    return token_for(runtime, await make_user(role=Role.OPERATOR))


async def test_block_words_refuse_every_kind_of_member_text_and_store_nothing(
    api: Api, runtime: Runtime
) -> None:
    await _words(api, await _operator(runtime), ["赌博"], "BLOCK")
    member = await make_user()
    token = token_for(runtime, member)
    post = await make_post(await make_user(), "正常的帖子")
    attempts = [
        ("CreatePost", {"input": {"body": "线上赌博"}}, "body"),
        ("CreatePost", {"input": {"title": "赌 博", "body": "正文"}}, "title"),
        ("CreatePost", {"input": {"body": "聊聊 #赌博#"}}, "body"),
        (
            "CreatePost",
            {
                "input": {
                    "kind": "POLL",
                    "body": "选一个",
                    "poll": {"options": ["赌\u200b博", "不"]},
                }
            },
            "poll.options",
        ),
        ("AddComment", {"postId": to_global_id("Post", post.id), "body": "ＡＢ赌博"}, "body"),
        ("UpdateProfile", {"input": {"nickname": "赌博达人"}}, "nickname"),
        ("UpdateProfile", {"input": {"bio": "爱好：赌*博"}}, "bio"),
    ]
    for name, variables, field in attempts:
        result = await api.op(name, variables, token=token)
        assert result["errors"][0]["extensions"] == {"code": "CONTENT_REJECTED", "field": field}
        assert "违规" in result["errors"][0]["message"]
    assert await Post.all().count() == 1
    assert await Comment.all().count() == 0
    await member.refresh_from_db()
    assert "赌博" not in member.nickname


async def test_block_words_refuse_report_details_appeal_reasons_and_dev_nicknames(
    api: Api, runtime: Runtime
) -> None:
    await _words(api, await _operator(runtime), ["赌博"], "BLOCK")
    member = await make_user()
    token = token_for(runtime, member)
    target = await make_post(await make_user(), "正常的帖子")
    rejected = await make_post(member, "被驳回的帖子", status=PostStatus.REJECTED)
    attempts = [
        (
            "ReportContent",
            {
                "targetType": "POST",
                "targetId": to_global_id("Post", target.id),
                "reason": "SPAM",
                "detail": "这里有人组织赌博",
            },
            "detail",
        ),
        (
            "AppealRejection",
            {"postId": to_global_id("Post", rejected.id), "reason": "我只是说赌博不好"},
            "reason",
        ),
        ("DevLogin", {"openid": "o-dev-nickname", "nickname": "赌博王"}, "nickname"),
    ]
    for name, variables, field in attempts:
        result = await api.op(name, variables, token=token)
        assert result["errors"][0]["extensions"] == {"code": "CONTENT_REJECTED", "field": field}
    assert await Report.all().count() == 0
    assert not await User.exists(openid="o-dev-nickname")
    # Review-level words still pass in texts only reviewers read.
    await _words(api, await _operator(runtime), ["代购"], "REVIEW")
    fine = await api.op(
        "ReportContent",
        {
            "targetType": "POST",
            "targetId": to_global_id("Post", target.id),
            "reason": "SPAM",
            "detail": "疑似代购广告",
        },
        token=token,
    )
    assert "errors" not in fine, fine


async def test_a_post_walks_through_review_rejection_appeal_and_final_approval(
    api: Api, runtime: Runtime
) -> None:
    operator = await _operator(runtime)
    await _words(api, operator, ["代购"], "REVIEW")
    author = await make_user(nickname="作者")
    mod1, mod2 = await make_user(role=Role.MODERATOR), await make_user(role=Role.MODERATOR)
    stranger = token_for(runtime, await make_user())
    author_token = token_for(runtime, author)

    created = await api.op(
        "CreatePost", {"input": {"body": "海外代购，价格实惠"}}, token=author_token
    )
    post = created["data"]["createPost"]["post"]
    assert post["status"] == "PENDING_REVIEW"
    detail = {"id": post["id"]}

    async def seen_by(token: str | None) -> str | None:
        result = await api.op("PostDetail", detail, token=token)
        found = result["data"]["post"]
        return found["status"] if found else None

    async def feed_ids() -> list[str]:
        feed = await api.op("Feed", {"kind": "LATEST"}, token=stranger)
        return [e["node"]["id"] for e in feed["data"]["feed"]["edges"]]

    assert (await seen_by(author_token), await seen_by(stranger), await seen_by(None)) == (
        "PENDING_REVIEW",
        None,
        None,
    )
    assert await seen_by(token_for(runtime, mod1)) == "PENDING_REVIEW"
    assert await feed_ids() == []
    await author.refresh_from_db()
    assert author.post_count == 0

    queue = await api.op("ReviewQueue", {"stage": "FIRST"}, token=token_for(runtime, mod1))
    [edge] = queue["data"]["reviewQueue"]["edges"]
    task = edge["node"]
    assert task["reasons"] == ["敏感词：代购"] and task["target"]["id"] == post["id"]
    assert task["target"]["author"]["nickname"] == "作者"

    first = await api.op(
        "DecideReview",
        {"taskId": task["id"], "decision": "REJECT", "note": "疑似广告"},
        token=token_for(runtime, mod1),
    )
    assert first["data"]["decideReview"]["task"] == {
        "id": task["id"],
        "stage": "SECOND",
        "status": "OPEN",
    }
    same = await api.op(
        "DecideReview", {"taskId": task["id"], "decision": "REJECT"}, token=token_for(runtime, mod1)
    )
    assert error_codes(same) == ["FORBIDDEN"]
    assert "另一位" in same["errors"][0]["message"]
    second = await api.op(
        "DecideReview", {"taskId": task["id"], "decision": "REJECT"}, token=token_for(runtime, mod2)
    )
    assert second["data"]["decideReview"]["task"]["status"] == "REJECTED"
    assert (await seen_by(author_token), await seen_by(stranger)) == ("REJECTED", None)
    closed = await api.op(
        "DecideReview",
        {"taskId": task["id"], "decision": "APPROVE"},
        token=token_for(runtime, mod2),
    )
    assert error_codes(closed) == ["CONFLICT"]

    appeal = await api.op(
        "AppealRejection", {"postId": post["id"], "reason": "这是正规代购"}, token=author_token
    )
    final_task = appeal["data"]["appealRejection"]["task"]
    assert (final_task["stage"], final_task["status"]) == ("FINAL", "OPEN")
    again = await api.op(
        "AppealRejection", {"postId": post["id"], "reason": "再申诉"}, token=author_token
    )
    assert error_codes(again) == ["CONFLICT"]
    by_moderator = await api.op(
        "DecideReview",
        {"taskId": final_task["id"], "decision": "APPROVE"},
        token=token_for(runtime, mod1),
    )
    assert error_codes(by_moderator) == ["FORBIDDEN"]
    approved = await api.op(
        "DecideReview", {"taskId": final_task["id"], "decision": "APPROVE"}, token=operator
    )
    assert approved["data"]["decideReview"]["task"]["status"] == "APPROVED"
    assert await seen_by(stranger) == "PUBLISHED"
    assert await feed_ids() == [post["id"]]
    await author.refresh_from_db()
    assert author.post_count == 1

    log = await api.op("ModerationLog", {"first": 10}, token=operator)
    actions = [e["node"]["action"] for e in log["data"]["moderationLog"]["edges"]]
    assert actions == ["REVIEW_APPROVE", "REVIEW_REJECT", "REVIEW_REJECT", "ADD_WORDS"]
    notes = [e["node"]["note"] for e in log["data"]["moderationLog"]["edges"]]
    assert "疑似广告" in notes
    assert log["data"]["moderationLog"]["edges"][1]["node"]["targetId"] == post["id"]


async def test_a_reviewer_never_sees_nor_decides_the_review_of_their_own_content(
    api: Api, runtime: Runtime
) -> None:
    operator = await _operator(runtime)
    await _words(api, operator, ["代购"], "REVIEW")
    mod, other_mod = await make_user(role=Role.MODERATOR), await make_user(role=Role.MODERATOR)
    admin = await make_user(role=Role.ADMIN)

    async def queue(stage: str, user: User) -> list[dict]:
        result = await api.op("ReviewQueue", {"stage": stage}, token=token_for(runtime, user))
        return [e["node"] for e in result["data"]["reviewQueue"]["edges"]]

    async def decide(task: dict, user: User, decision: str = "APPROVE") -> dict:
        variables = {"taskId": task["id"], "decision": decision}
        return await api.op("DecideReview", variables, token=token_for(runtime, user))

    created = await api.op(
        "CreatePost", {"input": {"body": "海外代购"}}, token=token_for(runtime, mod)
    )
    assert created["data"]["createPost"]["post"]["status"] == "PENDING_REVIEW"
    assert await queue("FIRST", mod) == []
    [task] = await queue("FIRST", other_mod)
    refused = await decide(task, mod)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert "自己" in refused["errors"][0]["message"]
    assert (await decide(task, other_mod))["data"]["decideReview"]["task"]["status"] == "APPROVED"

    # An admin's own appeal, at the final stage, waits for another operator or admin.
    own = await api.op("CreatePost", {"input": {"body": "代购"}}, token=token_for(runtime, admin))
    post_id = own["data"]["createPost"]["post"]["id"]
    [task] = await queue("FIRST", mod)
    assert error_codes(await decide(task, admin, "REJECT")) == ["FORBIDDEN"]
    await decide(task, mod, "REJECT")
    await decide(task, other_mod, "REJECT")
    appeal = await api.op(
        "AppealRejection", {"postId": post_id, "reason": "误判"}, token=token_for(runtime, admin)
    )
    final = appeal["data"]["appealRejection"]["task"]
    assert await queue("FINAL", admin) == []
    assert error_codes(await decide(final, admin)) == ["FORBIDDEN"]
    operator_user = await make_user(role=Role.OPERATOR)
    assert [t["id"] for t in await queue("FINAL", operator_user)] == [final["id"]]
    approved = await decide(final, operator_user)
    assert approved["data"]["decideReview"]["task"]["status"] == "APPROVED"


async def test_comments_and_answers_in_review_are_not_counted_until_approved(
    api: Api, runtime: Runtime
) -> None:
    await _words(api, await _operator(runtime), ["刷单"], "REVIEW")
    post = await make_post(await make_user(), "普通帖子")
    token = token_for(runtime, await make_user())
    result = await api.op(
        "AddComment", {"postId": to_global_id("Post", post.id), "body": "刷单兼职"}, token=token
    )
    assert result["data"]["addComment"]["post"]["commentCount"] == 0
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    queue = await api.op("ReviewQueue", {"stage": "FIRST"}, token=moderator)
    task = queue["data"]["reviewQueue"]["edges"][0]["node"]
    assert task["target"]["__typename"] == "Comment"
    await api.op("DecideReview", {"taskId": task["id"], "decision": "APPROVE"}, token=moderator)
    await post.refresh_from_db()
    assert post.comment_count == 1


async def test_word_list_changes_apply_at_once_and_removal_lifts_them(
    api: Api, runtime: Runtime
) -> None:
    operator = await _operator(runtime)
    token = token_for(runtime, await make_user())
    assert "errors" not in await api.op(
        "CreatePost", {"input": {"body": "今天吃火锅"}}, token=token
    )
    await _words(api, operator, ["火锅"], "BLOCK")
    blocked = await api.op("CreatePost", {"input": {"body": "今天吃火锅"}}, token=token)
    assert error_codes(blocked) == ["CONTENT_REJECTED"]
    removed = await api.op("RemoveSensitiveWords", {"words": ["火锅"]}, token=operator)
    assert removed["data"]["removeSensitiveWords"]["count"] == 1
    assert "errors" not in await api.op(
        "CreatePost", {"input": {"body": "今天吃火锅"}}, token=token
    )


async def test_wechat_content_security_rejects_risky_and_reviews_doubtful_text(
    api: Api, runtime: Runtime, wechat: WeChatStub
) -> None:
    member = await make_user(openid="o-checked")
    token = token_for(runtime, member)
    risky = await api.op("CreatePost", {"input": {"body": "WX-RISKY 内容"}}, token=token)
    assert error_codes(risky) == ["CONTENT_REJECTED"]
    doubtful = await api.op("CreatePost", {"input": {"body": "WX-REVIEW 内容"}}, token=token)
    assert doubtful["data"]["createPost"]["post"]["status"] == "PENDING_REVIEW"
    fine = await api.op("CreatePost", {"input": {"body": "普通内容"}}, token=token)
    assert fine["data"]["createPost"]["post"]["status"] == "PUBLISHED"
    assert {c["openid"] for c in wechat.checked} == {"o-checked"}
    assert wechat.tokens_issued == 1  # one cached access token for every check
    wechat.revoked_tokens.add("access-1")
    again = await api.op("CreatePost", {"input": {"body": "又一条 WX-RISKY"}}, token=token)
    assert error_codes(again) == ["CONTENT_REJECTED"]
    assert wechat.tokens_issued == 2  # the expired token was replaced and the check retried


async def test_three_distinct_reporters_hide_a_post_until_reviewed(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    post = await make_post(author, "有争议的帖子")
    gid = to_global_id("Post", post.id)
    reporters = [token_for(runtime, await make_user()) for _ in range(3)]
    variables = {"targetType": "POST", "targetId": gid, "reason": "SPAM", "detail": "广告"}
    for i, token in enumerate(reporters):
        result = await api.op("ReportContent", variables, token=token)
        assert result["data"]["reportContent"]["report"]["status"] == "PENDING"
        feed = await api.op("Feed", {"kind": "LATEST"})
        visible = [e["node"]["id"] for e in feed["data"]["feed"]["edges"]]
        assert visible == ([gid] if i < 2 else [])
        if i == 0:
            twice = await api.op("ReportContent", variables, token=token)
            assert error_codes(twice) == ["CONFLICT"]
            own = await api.op("ReportContent", variables, token=token_for(runtime, author))
            assert error_codes(own) == ["FORBIDDEN"]
    # Hidden now: to members it is gone.
    late = await api.op("ReportContent", variables, token=token_for(runtime, await make_user()))
    assert error_codes(late) == ["NOT_FOUND"]
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    queue = await api.op("ReviewQueue", {"stage": "FIRST"}, token=moderator)
    task = queue["data"]["reviewQueue"]["edges"][0]["node"]
    assert (task["reportCount"], task["reasons"]) == (3, ["举报：SPAM"])
    await api.op("DecideReview", {"taskId": task["id"], "decision": "APPROVE"}, token=moderator)
    feed = await api.op("Feed", {"kind": "LATEST"})
    assert [e["node"]["id"] for e in feed["data"]["feed"]["edges"]] == [gid]
    assert await Report.filter(status=ReportStatus.RESOLVED).count() == 3


async def test_muted_members_cannot_write_until_lifted(api: Api, runtime: Runtime) -> None:
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    member = await make_user()
    token = token_for(runtime, member)
    muted = await api.op(
        "SanctionUser",
        {"userId": to_global_id("User", member.id), "kind": "MUTE", "hours": 24, "reason": "刷屏"},
        token=moderator,
    )
    sanction = muted["data"]["sanctionUser"]["sanction"]
    assert sanction["kind"] == "MUTE"
    viewer = await api.op("Viewer", token=token)
    assert viewer["data"]["viewer"]["mutedUntil"] is not None
    result = await api.op("CreatePost", {"input": {"body": "我还能说话吗"}}, token=token)
    assert error_codes(result) == ["MUTED"]
    assert "后恢复" in result["errors"][0]["message"]
    lifted = await api.op("LiftSanction", {"sanctionId": sanction["id"]}, token=moderator)
    assert lifted["data"]["liftSanction"]["ok"] is True
    assert "errors" not in await api.op("CreatePost", {"input": {"body": "恢复了"}}, token=token)
    viewer = await api.op("Viewer", token=token)
    assert viewer["data"]["viewer"]["mutedUntil"] is None


async def test_a_ban_ends_sessions_and_sign_in(
    api: Api, runtime: Runtime, wechat: WeChatStub
) -> None:
    session = (await api.op("DevLogin", {"openid": "o-troll"}))["data"]["devLogin"]
    user = await User.get(openid="o-troll")
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    operator = await _operator(runtime)
    variables = {"userId": to_global_id("User", user.id), "kind": "BAN", "reason": "违规"}
    assert error_codes(await api.op("SanctionUser", variables, token=moderator)) == ["FORBIDDEN"]
    banned = await api.op("SanctionUser", variables, token=operator)
    assert banned["data"]["sanctionUser"]["sanction"]["kind"] == "BAN"
    assert error_codes(await api.op("Viewer", token=session["token"])) == ["FORBIDDEN"]
    refreshed = await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})
    assert error_codes(refreshed) in (["UNAUTHENTICATED"], ["FORBIDDEN"])
    wechat.issue_code("c", openid="o-troll")
    assert error_codes(await api.op("WechatLogin", {"code": "c"})) == ["FORBIDDEN"]


async def test_nobody_sanctions_their_equals_or_betters(api: Api, runtime: Runtime) -> None:
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    operator = await make_user(role=Role.OPERATOR)
    result = await api.op(
        "SanctionUser",
        {"userId": to_global_id("User", operator.id), "kind": "MUTE", "hours": 1, "reason": "x"},
        token=moderator,
    )
    assert error_codes(result) == ["FORBIDDEN"]


async def test_a_sanction_is_lifted_only_by_someone_ranked_above_its_target_never_by_themselves(
    api: Api, runtime: Runtime
) -> None:
    operator = await _operator(runtime)
    muted_mod = await make_user(role=Role.MODERATOR)
    other_mod = token_for(runtime, await make_user(role=Role.MODERATOR))
    muted = await api.op(
        "SanctionUser",
        {"userId": to_global_id("User", muted_mod.id), "kind": "MUTE", "hours": 24, "reason": "x"},
        token=operator,
    )
    sanction = {"sanctionId": muted["data"]["sanctionUser"]["sanction"]["id"]}
    own = await api.op("LiftSanction", sanction, token=token_for(runtime, muted_mod))
    assert error_codes(own) == ["FORBIDDEN"]
    equal = await api.op("LiftSanction", sanction, token=other_mod)
    assert error_codes(equal) == ["FORBIDDEN"]
    assert (await api.op("LiftSanction", sanction, token=operator))["data"]["liftSanction"]["ok"]

    # Muted as a member, an admin now: a moderator no longer outranks them.
    member = await make_user()
    muted = await api.op(
        "SanctionUser",
        {"userId": to_global_id("User", member.id), "kind": "MUTE", "hours": 24, "reason": "x"},
        token=other_mod,
    )
    await User.filter(id=member.id).update(role=Role.ADMIN)
    sanction = {"sanctionId": muted["data"]["sanctionUser"]["sanction"]["id"]}
    assert error_codes(await api.op("LiftSanction", sanction, token=other_mod)) == ["FORBIDDEN"]
    await member.refresh_from_db()
    assert member.muted_until is not None


async def test_only_admins_set_roles_and_the_last_admin_stays(api: Api, runtime: Runtime) -> None:
    admin = await make_user(role=Role.ADMIN)
    member = await make_user()
    token = token_for(runtime, admin)
    promoted = await api.op(
        "SetUserRole", {"userId": to_global_id("User", member.id), "role": "MODERATOR"}, token=token
    )
    assert promoted["data"]["setUserRole"]["user"]["role"] == "MODERATOR"
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    refused = await api.op(
        "SetUserRole", {"userId": to_global_id("User", member.id), "role": "ADMIN"}, token=operator
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    step_down = await api.op(
        "SetUserRole", {"userId": to_global_id("User", admin.id), "role": "MEMBER"}, token=token
    )
    assert error_codes(step_down) == ["CONFLICT"]
    await api.op(
        "SetUserRole", {"userId": to_global_id("User", member.id), "role": "ADMIN"}, token=token
    )
    ok = await api.op(
        "SetUserRole", {"userId": to_global_id("User", admin.id), "role": "MEMBER"}, token=token
    )
    assert ok["data"]["setUserRole"]["user"]["role"] == "MEMBER"
    assert await ModerationAction.filter(action="SET_ROLE").count() == 3


async def test_pins_lead_the_feeds_until_they_expire(api: Api, runtime: Runtime) -> None:
    operator = await _operator(runtime)
    author = await make_user()
    old = await make_post(author, "旧公告")
    newer = await make_post(author, "新帖")
    gid_old, gid_new = to_global_id("Post", old.id), to_global_id("Post", newer.id)
    member = token_for(runtime, author)
    refused = await api.op("PinPost", {"postId": gid_old, "scope": "GLOBAL"}, token=member)
    assert error_codes(refused) == ["FORBIDDEN"]
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    pinned = await api.op(
        "PinPost", {"postId": gid_old, "scope": "GLOBAL", "until": until}, token=operator
    )
    assert pinned["data"]["pinPost"]["post"] == {"id": gid_old, "isPinned": True}
    feed = await api.op("Feed", {"kind": "LATEST", "first": 1})
    assert [e["node"]["id"] for e in feed["data"]["feed"]["edges"]] == [gid_old]
    rest = await api.op(
        "Feed", {"kind": "LATEST", "after": feed["data"]["feed"]["pageInfo"]["endCursor"]}
    )
    assert [e["node"]["id"] for e in rest["data"]["feed"]["edges"]] == [gid_new]
    await Post.filter(id=old.id).update(pinned_until=datetime.now(UTC) - timedelta(seconds=1))
    feed = await api.op("Feed", {"kind": "LATEST"})
    assert [e["node"]["id"] for e in feed["data"]["feed"]["edges"]] == [gid_new, gid_old]
    assert feed["data"]["feed"]["edges"][1]["node"]["isPinned"] is False
    unpinned = await api.op("UnpinPost", {"postId": gid_old}, token=operator)
    assert unpinned["data"]["unpinPost"]["post"]["isPinned"] is False


async def test_circle_admins_pin_inside_their_circle(api: Api, runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    from domain.circles import create_circle, join_circle

    circle = await create_circle(operator, "跑团")
    member = await make_user()
    await join_circle(member, circle.id)
    first = await make_post(member, "第一次约跑", circle_id=circle.id)
    await make_post(member, "第二次约跑", circle_id=circle.id)
    gid = to_global_id("Post", first.id)
    not_admin = await api.op(
        "PinPost", {"postId": gid, "scope": "CIRCLE"}, token=token_for(runtime, member)
    )
    assert error_codes(not_admin) == ["FORBIDDEN"]
    pinned = await api.op(
        "PinPost", {"postId": gid, "scope": "CIRCLE"}, token=token_for(runtime, operator)
    )
    assert pinned["data"]["pinPost"]["post"]["isPinned"] is True
    feed = await api.op("CircleFeed", {"id": to_global_id("Circle", circle.id)})
    assert feed["data"]["circle"]["posts"]["edges"][0]["node"]["id"] == gid
    latest = await api.op("Feed", {"kind": "LATEST"})
    assert latest["data"]["feed"]["edges"][0]["node"]["id"] != gid  # a circle pin stays home


async def test_a_circle_admin_neither_overrides_nor_removes_a_pin_an_operator_set(
    api: Api, runtime: Runtime
) -> None:
    from domain.circles import create_circle, join_circle
    from domain.models import CircleMember, CircleRole

    operator = await make_user(role=Role.OPERATOR)
    circle = await create_circle(operator, "读书会")
    circle_admin = await make_user()
    await join_circle(circle_admin, circle.id)
    await CircleMember.filter(circle_id=circle.id, user_id=circle_admin.id).update(
        role=CircleRole.ADMIN
    )
    first = await make_post(circle_admin, "置顶公告", circle_id=circle.id)
    second = await make_post(circle_admin, "圈内通知", circle_id=circle.id)
    ops, admin = token_for(runtime, operator), token_for(runtime, circle_admin)

    async def pin(post: Post, scope: str, token: str) -> dict:
        variables = {"postId": to_global_id("Post", post.id), "scope": scope}
        return await api.op("PinPost", variables, token=token)

    async def unpin(post: Post, token: str) -> dict:
        return await api.op("UnpinPost", {"postId": to_global_id("Post", post.id)}, token=token)

    assert "errors" not in await pin(first, "GLOBAL", ops)
    assert error_codes(await pin(first, "CIRCLE", admin)) == ["FORBIDDEN"]
    assert error_codes(await unpin(first, admin)) == ["FORBIDDEN"]
    assert (await Post.get(id=first.id)).pin_scope == "GLOBAL"

    assert "errors" not in await pin(second, "CIRCLE", ops)
    assert error_codes(await pin(second, "CIRCLE", admin)) == ["FORBIDDEN"]
    assert error_codes(await unpin(second, admin)) == ["FORBIDDEN"]
    assert "errors" not in await unpin(second, ops)
    # Their own circle pins stay theirs to change.
    assert "errors" not in await pin(second, "CIRCLE", admin)
    assert "errors" not in await unpin(second, admin)


async def test_featured_posts_and_collections(api: Api, runtime: Runtime) -> None:
    operator = await _operator(runtime)
    author = await make_user()
    a, b, c = [await make_post(author, f"好文{i}") for i in range(3)]
    for post in (a, c):
        result = await api.op(
            "FeaturePost",
            {"postId": to_global_id("Post", post.id), "reason": "优质"},
            token=operator,
        )
        assert result["data"]["featurePost"]["post"]["isFeatured"] is True
    featured = await api.op("Feed", {"kind": "FEATURED"})
    assert [e["node"]["id"] for e in featured["data"]["feed"]["edges"]] == [
        to_global_id("Post", c.id),
        to_global_id("Post", a.id),
    ]
    await api.op("UnfeaturePost", {"postId": to_global_id("Post", c.id)}, token=operator)
    featured = await api.op("Feed", {"kind": "FEATURED"})
    assert len(featured["data"]["feed"]["edges"]) == 1

    created = await api.op(
        "CreateCollection",
        {
            "input": {
                "title": "新手指南",
                "description": "入门必读",
                "coverUrl": "https://cdn.example.com/c.png",
            }
        },
        token=operator,
    )
    collection = created["data"]["createCollection"]["collection"]
    for post in (b, a, b):
        added = await api.op(
            "AddToCollection",
            {"collectionId": collection["id"], "postId": to_global_id("Post", post.id)},
            token=operator,
        )
    ids = [
        e["node"]["id"] for e in added["data"]["addToCollection"]["collection"]["posts"]["edges"]
    ]
    assert ids == [to_global_id("Post", b.id), to_global_id("Post", a.id)]
    removed = await api.op(
        "RemoveFromCollection",
        {"collectionId": collection["id"], "postId": to_global_id("Post", b.id)},
        token=operator,
    )
    edges = removed["data"]["removeFromCollection"]["collection"]["posts"]["edges"]
    assert [e["node"]["id"] for e in edges] == [to_global_id("Post", a.id)]
    listed = await api.op("Collections", {})
    assert listed["data"]["collections"]["edges"][0]["node"]["title"] == "新手指南"
    posts = await api.op("CollectionPosts", {"id": collection["id"]})
    assert posts["data"]["collection"]["posts"]["edges"][0]["node"]["body"] == "好文0"
