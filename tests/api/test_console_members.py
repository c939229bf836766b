"""Members as the console shows them: sanctions, a member's record, and hiding a spam wave so
that a mistaken hide is approved back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import (
    ModerationAction,
    PostStatus,
    ReviewSource,
    ReviewStage,
    ReviewTask,
    Role,
    Sanction,
    TargetType,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    make_answer,
    make_comment,
    make_post,
    make_question,
    make_report,
    make_user,
    token_for,
)


def _user(user_id: int) -> str:
    return to_global_id("User", user_id)


async def _sanction(api: Api, token: str, user_id: int, kind: str, hours: int | None = 24) -> dict:
    variables = {"userId": _user(user_id), "kind": kind, "hours": hours, "reason": "刷屏"}
    return await api.op("SanctionUser", variables, token=token)


async def test_the_sanctions_list_shows_what_is_in_force_and_what_ended(
    api: Api, runtime: Runtime
) -> None:
    moderator = await make_user(role=Role.MODERATOR, nickname="版主")
    operator = await make_user(role=Role.OPERATOR)
    muted, banned, freed = await make_user(), await make_user(), await make_user()
    mod_token, op_token = token_for(runtime, moderator), token_for(runtime, operator)
    assert "errors" not in await _sanction(api, mod_token, muted.id, "MUTE")
    # Moderators mute; banning is for operators.
    assert error_codes(await _sanction(api, mod_token, banned.id, "BAN", None)) == ["FORBIDDEN"]
    await _sanction(api, op_token, banned.id, "BAN", None)
    lifted = await _sanction(api, mod_token, freed.id, "MUTE")
    await api.op(
        "LiftSanction",
        {"sanctionId": lifted["data"]["sanctionUser"]["sanction"]["id"]},
        token=op_token,
    )
    expired = await Sanction.create(
        user=muted, kind="MUTE", until=datetime.now(UTC) - timedelta(hours=1), reason="旧的"
    )

    async def listed(**variables: object) -> tuple[int, list[dict]]:
        result = await api.op("Sanctions", variables, token=mod_token)
        assert "errors" not in result, result
        found = result["data"]["sanctions"]
        return found["totalCount"], [edge["node"] for edge in found["edges"]]

    total, every = await listed()
    assert total == 4
    assert [n["user"]["id"] for n in every] == [
        _user(muted.id),
        _user(freed.id),
        _user(banned.id),
        _user(muted.id),
    ]
    mute = every[-1]
    assert (mute["kind"], mute["reason"], mute["liftedAt"]) == ("MUTE", "刷屏", None)
    assert mute["actor"] == {"id": _user(moderator.id), "nickname": "版主"}
    assert every[0]["id"] == to_global_id("Sanction", expired.id) and every[0]["actor"] is None
    total, active = await listed(active=True)
    assert (total, {n["user"]["id"] for n in active}) == (2, {_user(muted.id), _user(banned.id)})
    total, ended = await listed(active=False)
    assert total == 2 and ended[1]["liftedAt"] is not None
    total, of_one = await listed(userId=_user(muted.id), first=1)
    assert (total, len(of_one)) == (2, 1)


async def test_a_member_record_gathers_activity_reports_rejections_sanctions_and_log(
    api: Api, runtime: Runtime
) -> None:
    moderator = await make_user(role=Role.MODERATOR)
    token = token_for(runtime, moderator)
    member = await make_user(nickname="被查的人")
    post = await make_post(member, "第一帖")
    await make_post(member, "被驳回的", status=PostStatus.REJECTED)
    comment = await make_comment(post, member, "一条评论")
    await make_comment(post, member, "又一条")
    await make_report(post)
    await make_report(comment)
    await make_report(member)
    await make_report(await make_post(), member)  # filed by them
    await _sanction(api, token, member.id, "MUTE")
    await api.op(
        "DecideReviews",
        {
            "taskIds": [
                to_global_id(
                    "ReviewTask", (await ReviewTask.get(target_type="POST", target_id=post.id)).id
                )
            ],
            "decision": "APPROVE",
        },
        token=token,
    )

    result = await api.op("MemberRecord", {"userId": _user(member.id)}, token=token)
    record = result["data"]["memberRecord"]
    assert record["user"] == {
        "id": _user(member.id),
        "nickname": "被查的人",
        "role": "MEMBER",
        "level": 1,
    }
    joined = datetime.fromisoformat(record["joinedAt"])  # to the millisecond, as JavaScript
    assert abs(joined - member.created_at) < timedelta(milliseconds=1)
    assert (record["postCount"], record["commentCount"]) == (1, 2)
    assert (record["reportsAgainst"], record["reportsFiled"], record["rejectedCount"]) == (3, 1, 1)
    [sanction] = record["sanctions"]
    assert (sanction["kind"], sanction["reason"]) == ("MUTE", "刷屏")
    assert [e["action"] for e in record["recentLog"]] == ["REVIEW_APPROVE", "MUTE"]
    assert record["recentLog"][0]["actor"]["id"] == _user(moderator.id)
    missing = await api.op("MemberRecord", {"userId": _user(999_999)}, token=token)
    assert error_codes(missing) == ["NOT_FOUND"]


async def test_hiding_a_spam_wave_gives_each_item_a_task_and_approval_brings_it_back(
    api: Api, runtime: Runtime
) -> None:
    moderator = await make_user(role=Role.MODERATOR)
    token = token_for(runtime, moderator)
    spammer = await make_user()
    earlier = await make_post(spammer, "很早以前的正常帖")
    since = datetime.now(UTC)
    spam = [await make_post(spammer, f"加微信领红包{i}") for i in range(2)]
    comment = await make_comment(earlier, spammer, "加微信")
    answer = await make_answer(await make_question(), spammer, "加微信")
    stranger = token_for(runtime, await make_user())
    variables = {"userId": _user(spammer.id), "since": since.isoformat(), "reason": "广告刷屏"}

    refused = await api.op("HideMemberContent", variables, token=stranger)
    assert error_codes(refused) == ["FORBIDDEN"]
    operator = await make_user(role=Role.OPERATOR)
    above = {**variables, "userId": _user(operator.id)}
    assert error_codes(await api.op("HideMemberContent", above, token=token)) == ["FORBIDDEN"]

    hidden = await api.op("HideMemberContent", variables, token=token)
    assert hidden["data"]["hideMemberContent"] == {"hiddenCount": 4}
    for post in spam:
        await post.refresh_from_db()
        assert post.status == PostStatus.HIDDEN
    await earlier.refresh_from_db()
    assert earlier.status == PostStatus.PUBLISHED
    tasks = await ReviewTask.all().order_by("id")
    assert {(t.target_type, t.target_id) for t in tasks} == {
        (TargetType.POST, spam[0].id),
        (TargetType.POST, spam[1].id),
        (TargetType.COMMENT, comment.id),
        (TargetType.ANSWER, answer.id),
    }
    assert {(t.source, t.stage, tuple(t.reasons)) for t in tasks} == {
        (ReviewSource.MANUAL, ReviewStage.FIRST, ("隐藏：广告刷屏",))
    }
    feed = await api.op("Feed", {"kind": "LATEST"}, token=stranger)
    shown = [e["node"]["id"] for e in feed["data"]["feed"]["edges"]]
    assert to_global_id("Post", spam[0].id) not in shown
    await spammer.refresh_from_db()
    assert spammer.post_count == 1
    assert await ModerationAction.filter(action="HIDE_CONTENT", target_id=spammer.id).exists()

    # A mistaken hide: the first post is approved back, the rest stay hidden.
    mistaken = next(t for t in tasks if t.target_id == spam[0].id and t.target_type == "POST")
    sources = await api.op(
        "ReviewWorkbench", {"stage": "FIRST", "filter": {"sources": ["MANUAL"]}}, token=token
    )
    assert sources["data"]["reviewQueue"]["totalCount"] == 4
    await api.op(
        "DecideReviews",
        {"taskIds": [to_global_id("ReviewTask", mistaken.id)], "decision": "APPROVE"},
        token=token,
    )
    detail = await api.op("PostDetail", {"id": to_global_id("Post", spam[0].id)}, token=stranger)
    assert detail["data"]["post"]["status"] == "PUBLISHED"
    await spammer.refresh_from_db()
    assert spammer.post_count == 2
    again = await api.op("HideMemberContent", variables, token=token)
    assert again["data"]["hideMemberContent"] == {"hiddenCount": 1}
