"""A nickname must read as what it is: no direction tricks, no invisible or zalgo names, and no
copies of a staff member's name (UpdateProfile and devLogin)."""

from __future__ import annotations

from domain.models import Role, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_user, token_for


async def _refusal(api: Api, runtime: Runtime, user: User, nickname: str) -> dict[str, str]:
    result = await api.op(
        "UpdateProfile", {"input": {"nickname": nickname}}, token=token_for(runtime, user)
    )
    assert "errors" in result, nickname
    extensions: dict[str, str] = result["errors"][0]["extensions"]
    return extensions


async def test_a_nickname_with_a_direction_control_is_refused(api: Api, runtime: Runtime) -> None:
    user = await make_user(nickname="原名")
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        refusal = await _refusal(api, runtime, user, f"小{control}nimda")
        assert refusal == {"code": "BAD_USER_INPUT", "field": "nickname"}
    await user.refresh_from_db()
    assert user.nickname == "原名"


async def test_an_invisible_nickname_is_refused(api: Api, runtime: Runtime) -> None:
    user = await make_user()
    for nickname in ("\u3164", "\u3164\u3164", "\uffa0", "\u200b\u200d", "\u2800", "\u034f"):
        refusal = await _refusal(api, runtime, user, nickname)
        assert refusal == {"code": "BAD_USER_INPUT", "field": "nickname"}, ascii(nickname)


async def test_a_zalgo_nickname_is_refused_and_accents_are_not(api: Api, runtime: Runtime) -> None:
    user = await make_user()
    zalgo = "z\u0351\u0300\u0352\u0346\u035bal\u0336\u0321\u0328go"
    assert await _refusal(api, runtime, user, zalgo) == {
        "code": "BAD_USER_INPUT",
        "field": "nickname",
    }
    for fine in ("Nguyễn Thị Hồng", "สมศักดิ์", "❤️小雨", "1️⃣号", "★星星★"):
        result = await api.op(
            "UpdateProfile", {"input": {"nickname": fine}}, token=token_for(runtime, user)
        )
        assert result["data"]["updateProfile"]["viewer"]["nickname"] == fine


async def test_a_member_cannot_take_a_name_that_folds_to_a_staff_members(
    api: Api, runtime: Runtime
) -> None:
    for role, name in ((Role.MODERATOR, "mod"), (Role.OPERATOR, "ops"), (Role.ADMIN, "admin")):
        await make_user(role=role, nickname=name)
    member = await make_user(nickname="阿明")
    copies = [
        "Admin",
        "ＡＤＭＩＮ",
        "Аdmіn",
        "Ad\u200bmin",
        "A.d.m.i.n",
        "admin\ufe0f",
        "ΜOD",
        "0ps",
    ]
    for copy in copies[:-1]:
        refusal = await _refusal(api, runtime, member, copy)
        assert refusal == {"code": "BAD_USER_INPUT", "field": "nickname"}, ascii(copy)
    # A digit for a letter is a different name: folding stops at letters that look alike.
    zero = await api.op(
        "UpdateProfile", {"input": {"nickname": copies[-1]}}, token=token_for(runtime, member)
    )
    assert zero["data"]["updateProfile"]["viewer"]["nickname"] == "0ps"


async def test_traditional_characters_do_not_copy_a_staff_name(api: Api, runtime: Runtime) -> None:
    await make_user(role=Role.OPERATOR, nickname="圈子运营")
    member = await make_user()
    refusal = await _refusal(api, runtime, member, "圈子運營")
    assert refusal == {"code": "BAD_USER_INPUT", "field": "nickname"}
    assert (
        "管理人员"
        in (
            await api.op(
                "UpdateProfile",
                {"input": {"nickname": "圈 子 运 营"}},
                token=token_for(runtime, member),
            )
        )["errors"][0]["message"]
    )


async def test_a_members_name_and_a_staff_members_own_name_stay_free(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR, nickname="圈子运营")
    await make_user(nickname="小明")
    member = await make_user()
    member_copy = await api.op(
        "UpdateProfile", {"input": {"nickname": "小明"}}, token=token_for(runtime, member)
    )
    assert member_copy["data"]["updateProfile"]["viewer"]["nickname"] == "小明"
    own = await api.op(
        "UpdateProfile", {"input": {"nickname": "圈子运营"}}, token=token_for(runtime, operator)
    )
    assert own["data"]["updateProfile"]["viewer"]["nickname"] == "圈子运营"
    near = await api.op(
        "UpdateProfile", {"input": {"nickname": "圈子运营的粉丝"}}, token=token_for(runtime, member)
    )
    assert near["data"]["updateProfile"]["viewer"]["nickname"] == "圈子运营的粉丝"


async def test_dev_login_cannot_take_a_staff_name_either(api: Api, runtime: Runtime) -> None:
    await make_user(role=Role.ADMIN, nickname="站长")
    result = await api.op("DevLogin", {"openid": "o-new", "nickname": "站 長"})
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "nickname"}
