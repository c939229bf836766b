"""The viewer's own profile."""

from __future__ import annotations

from domain.models import User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


async def test_update_profile_changes_what_the_member_asked(api: Api, runtime: Runtime) -> None:
    user = await make_user(nickname="旧昵称")
    result = await api.op(
        "UpdateProfile",
        {
            "input": {
                "nickname": " 新昵称 ",
                "bio": "热爱生活",
                "avatarUrl": "https://cdn.example.com/a.png",
            }
        },
        token=token_for(runtime, user),
    )
    viewer = result["data"]["updateProfile"]["viewer"]
    assert (viewer["nickname"], viewer["bio"], viewer["avatarUrl"]) == (
        "新昵称",
        "热爱生活",
        "https://cdn.example.com/a.png",
    )
    again = await api.op("Viewer", token=token_for(runtime, user))
    assert again["data"]["viewer"]["nickname"] == "新昵称"


async def test_fields_left_out_are_left_alone(api: Api, runtime: Runtime) -> None:
    user = await make_user(nickname="阿明", bio="原简介")
    result = await api.op(
        "UpdateProfile", {"input": {"nickname": "阿明2"}}, token=token_for(runtime, user)
    )
    assert result["data"]["updateProfile"]["viewer"]["bio"] == "原简介"


async def test_a_twenty_character_nickname_fits_and_twenty_one_does_not(
    api: Api, runtime: Runtime
) -> None:
    user = await make_user()
    token = token_for(runtime, user)
    ok = await api.op("UpdateProfile", {"input": {"nickname": "字" * 20}}, token=token)
    assert ok["data"]["updateProfile"]["viewer"]["nickname"] == "字" * 20
    too_long = await api.op("UpdateProfile", {"input": {"nickname": "字" * 21}}, token=token)
    assert too_long["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "nickname"}
    assert "1 到 20" in too_long["errors"][0]["message"]


async def test_a_bad_field_saves_nothing_at_all(api: Api, runtime: Runtime) -> None:
    user = await make_user(nickname="不变", bio="不变的简介")
    result = await api.op(
        "UpdateProfile",
        {"input": {"nickname": "会变吗", "bio": "新" * 201}},
        token=token_for(runtime, user),
    )
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "bio"}
    await user.refresh_from_db()
    assert (user.nickname, user.bio) == ("不变", "不变的简介")


async def test_blank_nickname_and_non_https_avatar_are_refused(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    blank = await api.op("UpdateProfile", {"input": {"nickname": "   "}}, token=token)
    assert blank["errors"][0]["extensions"]["field"] == "nickname"
    for url in ("http://a.com/x.png", "javascript:alert(1)", "https://", "ftp://a.com/x"):
        result = await api.op("UpdateProfile", {"input": {"avatarUrl": url}}, token=token)
        assert result["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "avatarUrl",
        }, url


async def test_anonymous_profile_update_is_unauthenticated(api: Api) -> None:
    result = await api.op("UpdateProfile", {"input": {"nickname": "路人"}})
    assert error_codes(result) == ["UNAUTHENTICATED"]
    assert await User.all().count() == 0
