"""Signing in through a real local WeChat stand-in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.models import User
from tests.conftest import Api, error_codes
from tests.factories import make_user
from tests.wechat_stub import APPID, SECRET, WeChatStub


async def test_first_wechat_login_creates_the_member_and_returns_a_working_session(
    api: Api, wechat: WeChatStub
) -> None:
    wechat.issue_code("code-1", openid="o-alice")
    result = await api.op("WechatLogin", {"code": "code-1"})
    assert "errors" not in result, result
    payload = result["data"]["wechatLogin"]
    assert payload["isNewUser"] is True
    assert payload["viewer"]["role"] == "MEMBER"
    assert payload["viewer"]["level"] == 1
    assert payload["viewer"]["nickname"].startswith("圈友")
    assert len(payload["viewer"]["inviteCode"]) == 8
    assert datetime.fromisoformat(payload["expiresAt"]) > datetime.now(UTC)
    # The call reached WeChat with our credentials.
    assert wechat.calls[-1] == {
        "appid": APPID,
        "secret": SECRET,
        "js_code": "code-1",
        "grant_type": "authorization_code",
    }
    viewer = await api.op("Viewer", token=payload["token"])
    assert viewer["data"]["viewer"]["id"] == payload["viewer"]["id"]


async def test_signing_in_again_finds_the_same_member(api: Api, wechat: WeChatStub) -> None:
    wechat.issue_code("first", openid="o-bob")
    wechat.issue_code("second", openid="o-bob")
    first = (await api.op("WechatLogin", {"code": "first"}))["data"]["wechatLogin"]
    second = (await api.op("WechatLogin", {"code": "second"}))["data"]["wechatLogin"]
    assert second["isNewUser"] is False
    assert second["viewer"]["id"] == first["viewer"]["id"]
    assert await User.filter(openid="o-bob").count() == 1


async def test_a_member_with_the_same_unionid_is_the_same_member(
    api: Api, wechat: WeChatStub
) -> None:
    member = await make_user(openid="o-app")
    await User.filter(id=member.id).update(unionid="u-1")
    wechat.issue_code("mini", openid="o-mini", unionid="u-1")
    payload = (await api.op("WechatLogin", {"code": "mini"}))["data"]["wechatLogin"]
    assert payload["isNewUser"] is False
    assert await User.all().count() == 1


async def test_double_tapped_first_sign_in_creates_one_member(api: Api, wechat: WeChatStub) -> None:
    for i in range(6):
        wechat.issue_code(f"tap-{i}", openid="o-tapper")
    results = await asyncio.gather(*(api.op("WechatLogin", {"code": f"tap-{i}"}) for i in range(6)))
    assert all("errors" not in r for r in results), results
    ids = {r["data"]["wechatLogin"]["viewer"]["id"] for r in results}
    assert len(ids) == 1
    assert sum(r["data"]["wechatLogin"]["isNewUser"] for r in results) == 1
    assert await User.filter(openid="o-tapper").count() == 1


async def test_invite_code_attributes_the_new_member_to_the_inviter(
    api: Api, wechat: WeChatStub
) -> None:
    inviter = await make_user()
    wechat.issue_code("c", openid="o-invitee")
    result = await api.op(
        "WechatLogin",
        {"code": "c", "inviteCode": inviter.invite_code.lower(), "shareToken": "sh_abc-123"},
    )
    assert result["data"]["wechatLogin"]["isNewUser"] is True
    invitee = await User.get(openid="o-invitee")
    assert invitee.invited_by_id == inviter.id  # type: ignore[attr-defined]
    assert invitee.signup_share_token == "sh_abc-123"
    await inviter.refresh_from_db()
    assert inviter.invited_count == 1


async def test_invite_code_does_not_change_an_existing_member(api: Api, wechat: WeChatStub) -> None:
    inviter = await make_user()
    member = await make_user(openid="o-old")
    wechat.issue_code("c", openid="o-old")
    await api.op("WechatLogin", {"code": "c", "inviteCode": inviter.invite_code})
    await member.refresh_from_db()
    assert member.invited_by_id is None  # type: ignore[attr-defined]
    await inviter.refresh_from_db()
    assert inviter.invited_count == 0


async def test_unknown_or_malformed_attribution_never_blocks_sign_in(
    api: Api, wechat: WeChatStub
) -> None:
    wechat.issue_code("c", openid="o-new")
    result = await api.op(
        "WechatLogin", {"code": "c", "inviteCode": "NOPE9999", "shareToken": "<script>" * 20}
    )
    assert "errors" not in result
    member = await User.get(openid="o-new")
    assert member.invited_by_id is None  # type: ignore[attr-defined]
    assert member.signup_share_token is None


async def test_invalid_code_is_a_bad_input_on_the_code_field_in_chinese(api: Api) -> None:
    result = await api.op("WechatLogin", {"code": "never-issued"})
    assert result["data"] is None
    error = result["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "code"}
    assert "微信登录凭证无效" in error["message"]


async def test_errors_are_in_english_when_the_client_asks(api: Api) -> None:
    result = await api.op("WechatLogin", {"code": "never-issued"}, lang="en-US,en;q=0.9")
    assert result["errors"][0]["message"].startswith("The WeChat login code is invalid")


async def test_a_used_code_is_refused(api: Api, wechat: WeChatStub) -> None:
    wechat.issue_code("once", openid="o-1")
    assert "errors" not in await api.op("WechatLogin", {"code": "once"})
    again = await api.op("WechatLogin", {"code": "once"})
    assert again["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "code"}
    assert "已被使用" in again["errors"][0]["message"]


async def test_an_empty_or_huge_code_is_refused_without_calling_wechat(
    api: Api, wechat: WeChatStub
) -> None:
    for code in ("", "   ", "x" * 500):
        result = await api.op("WechatLogin", {"code": code})
        assert error_codes(result) == ["BAD_USER_INPUT"]
    assert wechat.calls == []


async def test_wechat_rate_limit_becomes_rate_limited(api: Api) -> None:
    result = await api.op("WechatLogin", {"code": "limited"})
    assert error_codes(result) == ["RATE_LIMITED"]


async def test_wechat_flagging_the_account_is_forbidden(api: Api) -> None:
    assert error_codes(await api.op("WechatLogin", {"code": "risky"})) == ["FORBIDDEN"]


async def test_wechat_failures_and_timeouts_say_try_again_later(api: Api) -> None:
    for code in ("busy", "broken", "garbage", "slow"):
        result = await api.op("WechatLogin", {"code": code})
        assert error_codes(result) == ["SERVICE_UNAVAILABLE"], code
        assert "微信服务暂时不可用" in result["errors"][0]["message"]
    assert await User.all().count() == 0


async def test_a_banned_member_cannot_sign_in(api: Api, wechat: WeChatStub) -> None:
    await make_user(openid="o-banned", banned_until=datetime.now(UTC) + timedelta(days=1))
    wechat.issue_code("c", openid="o-banned")
    result = await api.op("WechatLogin", {"code": "c"})
    assert error_codes(result) == ["FORBIDDEN"]
    assert "封禁" in result["errors"][0]["message"]


async def test_dev_login_signs_in_by_openid_with_a_nickname(api: Api) -> None:
    result = await api.op("DevLogin", {"openid": "dev-1", "nickname": "  小 明  "})
    payload = result["data"]["devLogin"]
    assert payload["isNewUser"] is True
    assert payload["viewer"]["nickname"] == "小 明"
    again = await api.op("DevLogin", {"openid": "dev-1"})
    assert again["data"]["devLogin"]["isNewUser"] is False
