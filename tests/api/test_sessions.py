"""Sessions: access tokens on every request, refresh-token rotation and reuse detection."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.models import RefreshToken
from domain.tokens import TokenIssuer
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


async def _sign_in(api: Api, openid: str = "o-session") -> dict:
    result = await api.op("DevLogin", {"openid": openid})
    return result["data"]["devLogin"]


async def test_refresh_returns_a_new_working_pair_and_retires_the_old_token(api: Api) -> None:
    session = await _sign_in(api)
    refreshed = await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})
    pair = refreshed["data"]["refreshToken"]
    assert pair["refreshToken"] != session["refreshToken"]
    assert pair["isNewUser"] is False
    assert pair["viewer"]["id"] == session["viewer"]["id"]
    viewer = await api.op("Viewer", token=pair["token"])
    assert viewer["data"]["viewer"]["id"] == session["viewer"]["id"]
    # The next rotation from the new token works too.
    again = await api.op("RefreshToken", {"refreshToken": pair["refreshToken"]})
    assert "errors" not in again


async def test_reusing_a_refresh_token_revokes_the_whole_family(api: Api) -> None:
    session = await _sign_in(api)
    first = (await api.op("RefreshToken", {"refreshToken": session["refreshToken"]}))["data"]
    stolen = await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})
    assert error_codes(stolen) == ["UNAUTHENTICATED"]
    # The legitimate holder's newer token is now dead as well: sign in again.
    newer = await api.op("RefreshToken", {"refreshToken": first["refreshToken"]["refreshToken"]})
    assert error_codes(newer) == ["UNAUTHENTICATED"]


async def test_a_revoked_sign_in_ends_its_access_tokens_at_once(api: Api) -> None:
    session = await _sign_in(api, "o-revoked-access")
    other_device = await _sign_in(api, "o-revoked-access")
    first = (await api.op("RefreshToken", {"refreshToken": session["refreshToken"]}))["data"]
    assert (await api.op("Viewer", token=first["refreshToken"]["token"]))["data"]["viewer"]
    await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})  # reuse: stolen
    for token in (session["token"], first["refreshToken"]["token"]):
        result = await api.op("Viewer", token=token)
        assert error_codes(result) == ["UNAUTHENTICATED"]
        assert result["errors"][0]["message"] == "该登录已失效，请重新登录"
    # The member's other sign-in is untouched.
    still = await api.op("Viewer", token=other_device["token"])
    assert still["data"]["viewer"]["id"] == session["viewer"]["id"]


async def test_reuse_revokes_only_that_sign_in_not_other_devices(api: Api) -> None:
    phone = await _sign_in(api, "o-two-devices")
    tablet = await _sign_in(api, "o-two-devices")
    await api.op("RefreshToken", {"refreshToken": phone["refreshToken"]})
    await api.op("RefreshToken", {"refreshToken": phone["refreshToken"]})  # reuse
    still = await api.op("RefreshToken", {"refreshToken": tablet["refreshToken"]})
    assert "errors" not in still


async def test_unknown_refresh_token_is_refused(api: Api) -> None:
    result = await api.op("RefreshToken", {"refreshToken": "made-up"})
    assert error_codes(result) == ["UNAUTHENTICATED"]
    assert "重新登录" in result["errors"][0]["message"]


async def test_expired_refresh_token_is_refused(api: Api) -> None:
    session = await _sign_in(api)
    await RefreshToken.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    result = await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})
    assert error_codes(result) == ["UNAUTHENTICATED"]


async def test_concurrent_refreshes_with_one_token_never_yield_two_live_sessions(
    api: Api,
) -> None:
    session = await _sign_in(api)
    results = await asyncio.gather(
        *(api.op("RefreshToken", {"refreshToken": session["refreshToken"]}) for _ in range(5))
    )
    succeeded = [r for r in results if "errors" not in r]
    assert len(succeeded) <= 1
    assert sum(error_codes(r) == ["UNAUTHENTICATED"] for r in results) >= 4
    # Reuse was detected, so whatever was issued is revoked too.
    assert await RefreshToken.filter(revoked_at__isnull=True).count() == 0


async def test_anonymous_viewer_is_null(api: Api) -> None:
    result = await api.op("Viewer")
    assert result == {"data": {"viewer": None}}


async def test_tampered_access_token_is_unauthenticated(api: Api, runtime: Runtime) -> None:
    user = await make_user()
    token = token_for(runtime, user)
    header, payload, signature = token.split(".")
    forged_payload = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    for bad in (f"{header}.{forged_payload}.{signature}", token[:-3] + "abc", "garbage"):
        result = await api.op("Viewer", token=bad)
        assert error_codes(result) == ["UNAUTHENTICATED"], bad
        assert result["errors"][0]["message"] == "登录状态无效，请重新登录"


async def test_expired_access_token_is_unauthenticated_and_says_so(
    api: Api, runtime: Runtime
) -> None:
    user = await make_user()
    token, _ = runtime.tokens.issue_access(user.id, now=datetime.now(UTC) - timedelta(days=1))
    result = await api.op("Viewer", token=token, lang="en")
    assert error_codes(result) == ["UNAUTHENTICATED"]
    assert "expired" in result["errors"][0]["message"]


async def test_token_signed_with_another_secret_is_unauthenticated(
    api: Api, runtime: Runtime
) -> None:
    user = await make_user()
    other = TokenIssuer("another-secret-" + "y" * 40, runtime.tokens.access_ttl, timedelta(days=1))
    token, _ = other.issue_access(user.id)
    assert error_codes(await api.op("Viewer", token=token)) == ["UNAUTHENTICATED"]


async def test_a_non_bearer_authorization_header_is_unauthenticated(api: Api) -> None:
    result = await api.op("Viewer", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert error_codes(result) == ["UNAUTHENTICATED"]


async def test_a_token_of_a_member_who_is_gone_is_unauthenticated(
    api: Api, runtime: Runtime
) -> None:
    user = await make_user()
    token = token_for(runtime, user)
    await user.delete()
    assert error_codes(await api.op("Viewer", token=token)) == ["UNAUTHENTICATED"]


async def test_a_banned_member_loses_access_and_cannot_refresh(api: Api, runtime: Runtime) -> None:
    session = await _sign_in(api, "o-to-ban")
    from domain.models import User

    await User.filter(openid="o-to-ban").update(banned_until=datetime.now(UTC) + timedelta(days=3))
    assert error_codes(await api.op("Viewer", token=session["token"])) == ["FORBIDDEN"]
    refreshed = await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})
    assert error_codes(refreshed) == ["FORBIDDEN"]
