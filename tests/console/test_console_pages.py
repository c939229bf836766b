"""Each console page over HTTP, as the role that works it: what it shows and what its forms
do, every read and write going through the API's operations."""

from __future__ import annotations

from api.ids import to_global_id
from domain.models import PostStatus, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.console.conftest import SignIn, csrf_of
from tests.factories import make_post, make_user, token_for


async def test_today_lists_the_open_work_with_links_to_each_list(sign_in: SignIn) -> None:
    author = await make_user()
    await make_post(author, "待审核的帖子", status=PostStatus.PENDING_REVIEW)
    client = await sign_in(await make_user(role=Role.OPERATOR))

    page = await client.get("/console/")

    assert page.status_code == 200
    assert "今日待办" in page.text and "初审队列" in page.text
    assert 'href="/console/review?stage=FIRST"' in page.text
    assert "待处理申诉" in page.text and "未处理反馈" in page.text


async def test_sanctions_show_time_left_and_an_operator_lifts_one(
    runtime: Runtime, api: Api, sign_in: SignIn
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    spammer = await make_user(nickname="刷屏的人")
    imposed = await api.op(
        "SanctionUser",
        {"userId": to_global_id("User", spammer.id), "kind": "MUTE", "hours": 5, "reason": "刷屏"},
        token=token_for(runtime, operator),
    )
    sanction_id = imposed["data"]["sanctionUser"]["sanction"]["id"]
    client = await sign_in(operator)

    listed = await client.get("/console/sanctions")
    lifted = await client.post(
        "/console/sanctions/lift",
        data={"sanction_id": sanction_id},
        headers={"X-CSRF-Token": csrf_of(listed), "HX-Request": "true"},
    )
    after = await client.get("/console/sanctions")
    ended = await client.get("/console/sanctions?active=0")

    assert "刷屏的人" in listed.text and "禁言" in listed.text and "4 小时" in listed.text
    assert lifted.status_code == 200 and "已解除" in lifted.text
    assert "刷屏的人" not in after.text
    assert "刷屏的人" in ended.text


async def test_a_member_page_shows_their_record_and_hides_a_spam_wave(
    runtime: Runtime, sign_in: SignIn
) -> None:
    spammer = await make_user(nickname="广告号")
    await make_post(spammer, "加微信领红包")
    await make_post(spammer, "加微信领红包 第二波")
    client = await sign_in(await make_user(role=Role.MODERATOR))
    member = to_global_id("User", spammer.id)

    page = await client.get(f"/console/members/{member}")
    csrf = csrf_of(page)
    hidden = await client.post(
        f"/console/members/{member}/hide",
        data={"since": "2000-01-01T00:00", "reason": "广告刷屏"},
        headers={"X-CSRF-Token": csrf},
    )
    banned = await client.post(
        f"/console/members/{member}/sanction",
        data={"kind": "BAN", "hours": "24", "reason": "广告"},
        headers={"X-CSRF-Token": csrf},
    )
    muted = await client.post(
        f"/console/members/{member}/sanction",
        data={"kind": "MUTE", "hours": "24", "reason": "广告"},
        headers={"X-CSRF-Token": csrf},
    )
    again = await client.get(f"/console/members/{member}")
    by_number = await client.get(f"/console/members?id={spammer.id}")

    assert page.status_code == 200 and "广告号" in page.text and "加微信领红包" in page.text
    assert 'value="BAN"' not in page.text  # a moderator may mute, not ban
    assert hidden.status_code == 200 and "已隐藏 2 条内容" in hidden.text
    assert banned.status_code == 400 and "FORBIDDEN" in banned.text
    assert muted.status_code == 200 and "已处罚" in muted.text
    assert "HIDE_CONTENT" in again.text and "MUTE" in again.text
    assert by_number.headers["location"] == f"/console/members/{member}"


async def test_the_word_list_checks_a_text_by_utf16_offsets_and_exports_csv(
    sign_in: SignIn,
) -> None:
    operator = await sign_in(await make_user(role=Role.OPERATOR))
    csrf = csrf_of(await operator.get("/console/words"))
    added = await operator.post(
        "/console/words/add",
        data={"words": "刷单\n代购，加微信", "level": "REVIEW"},
        headers={"X-CSRF-Token": csrf},
    )
    # The list swapped in after adding counts what it shows.
    assert "共 3 条" in added.text and 'hx-swap-oob="true"' in added.text

    checked = await operator.post(
        "/console/words/check",
        data={"text": "😀😀 兼职ＳＨＵＡ 刷 单，找代购"},
        headers={"X-CSRF-Token": csrf},
    )
    exported = await operator.get("/console/words.csv")
    removed = await operator.post(
        "/console/words/remove", data={"word": "代购"}, headers={"X-CSRF-Token": csrf}
    )
    moderator = await sign_in(await make_user(role=Role.MODERATOR))
    read_only = await moderator.get("/console/words")

    assert checked.status_code == 200 and "送审" in checked.text
    assert '<mark class="review" title="送审">代购</mark>' in checked.text  # after two astral emoji
    assert exported.content.startswith(b"\xef\xbb\xbf")
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert "刷单,REVIEW,0" in exported.text
    assert removed.status_code == 200 and "已删除 1 个词" in removed.text
    assert 'id="word-table" hx-swap-oob="true"' in removed.text and "代购" not in removed.text
    assert "加微信" in read_only.text and "版主只能查看词表" in read_only.text
    assert "/console/words/remove" not in read_only.text


async def test_the_log_filters_by_action_and_exports_csv_with_a_bom(
    runtime: Runtime, api: Api, sign_in: SignIn
) -> None:
    operator = await make_user(role=Role.OPERATOR, nickname="运营甲")
    token = token_for(runtime, operator)
    await api.op("AddSensitiveWords", {"words": ["刷单"], "level": "BLOCK"}, token=token)
    await api.op(
        "SanctionUser",
        {"userId": to_global_id("User", (await make_user()).id), "kind": "MUTE", "hours": 1,
         "reason": "=HYPERLINK(\"x\")"},
        token=token_for(runtime, operator),
    )  # fmt: skip
    client = await sign_in(operator)

    everything = await client.get("/console/log")
    mutes = await client.get("/console/log?action=MUTE")
    exported = await client.get("/console/log.csv?action=MUTE")

    assert "<code>ADD_WORDS</code>" in everything.text and "共 2 条" in everything.text
    assert "<code>ADD_WORDS</code>" not in mutes.text and "共 1 条" in mutes.text
    assert exported.content.startswith("\ufeff".encode())
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "time,actor_id,actor,action,target_type,target_id,note"
    assert len(lines) == 2 and ",运营甲,MUTE,USER," in lines[1]
    assert "'=HYPERLINK" in lines[1]  # never a formula in Excel


async def test_an_admin_gives_a_role_and_others_do_not_see_the_roles_page(
    sign_in: SignIn,
) -> None:
    admin = await sign_in(await make_user(role=Role.ADMIN))
    newcomer = await make_user(nickname="新版主")
    page = await admin.get("/console/roles")

    given = await admin.post(
        "/console/roles",
        data={"user_id": str(newcomer.id), "role": "MODERATOR", "_csrf": csrf_of(page)},
    )
    operator = await sign_in(await make_user(role=Role.OPERATOR))

    assert given.status_code == 200 and "新版主 现在是 版主" in given.text
    assert "/console/roles" not in (await operator.get("/console/")).text
    assert (await operator.get("/console/roles")).status_code == 403


async def test_open_feedback_is_listed_for_operators(sign_in: SignIn) -> None:
    client = await sign_in(await make_user(role=Role.OPERATOR))
    page = await client.get("/console/feedback?status=OPEN")
    assert page.status_code == 200 and "反馈工单" in page.text
