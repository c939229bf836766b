"""A sign-in's chain of refresh tokens over time: a ban and a refresh at the same moment, two
revocations at once, the chain of a member who stays signed in, and its expired tokens
forgotten (domain/auth.py)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from domain import auth
from domain.models import RefreshToken, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, _asyncpg_dsn, error_codes
from tests.factories import make_user
from tests.locks import until_waiting, waits_first_for


@pytest.fixture
def dsn(database_url: str) -> str:
    return _asyncpg_dsn(database_url)


async def _sign_in(api: Api, openid: str) -> dict:
    return (await api.op("DevLogin", {"openid": openid}))["data"]["devLogin"]


async def _refresh(api: Api, refresh_token: str) -> dict:
    return (await api.op("RefreshToken", {"refreshToken": refresh_token}))["data"]["refreshToken"]


async def _member_id(openid: str) -> int:
    return (await User.get(openid=openid)).id


async def test_a_refresh_while_a_ban_lands_waits_for_it_and_is_refused(api: Api, dsn: str) -> None:
    """The ban's transaction has the member's row; a refresh at that moment must not read the
    member as not banned yet and leave with a token the ban's revocation, which looks only at
    tokens already in, never sees: it waits for the ban, then is refused."""
    session = await _sign_in(api, "o-ban-and-refresh")
    member = await _member_id("o-ban-and-refresh")
    banning = await asyncpg.connect(dsn)
    try:
        async with banning.transaction():
            await banning.execute(
                "UPDATE users SET banned_until = now() + interval '1 day' WHERE id = $1", member
            )
            refreshing = asyncio.ensure_future(
                api.op("RefreshToken", {"refreshToken": session["refreshToken"]})
            )
            try:
                await until_waiting(banning)
            except BaseException:
                refreshing.cancel()
                raise
        await auth.revoke_all_sessions(member)  # as sanctions.sanction_user does, after
        refused = await asyncio.wait_for(refreshing, 10)
    finally:
        await banning.close()
    assert error_codes(refused) == ["FORBIDDEN"]
    assert not await RefreshToken.filter(user_id=member, revoked_at__isnull=True).exists()


async def _chain_moved_out_of_id_order(api: Api, openid: str) -> list[int]:
    """A sign-in of three refresh tokens, ids ascending, whose first row was updated since
    (as each refresh updates the token it uses): its new version now lies after the others
    in the table, where a statement that scans the table meets it last."""
    session = await _sign_in(api, openid)
    second = await _refresh(api, session["refreshToken"])
    await _refresh(api, second["refreshToken"])
    ids = sorted(await RefreshToken.filter(user__openid=openid).values_list("id", flat=True))
    await RefreshToken.filter(id=ids[0]).update(used_at=datetime.now(UTC))
    return ids  # type: ignore[return-value]


@pytest.mark.parametrize("which", ["member", "sign-in"])
async def test_revoking_sign_ins_takes_their_tokens_in_id_order(
    api: Api, dsn: str, which: str
) -> None:
    """A ban (every sign-in of the member) and a reused token (its sign-in) revoking the same
    tokens at once must take them in one order: while the first token is held, neither
    holds the others."""
    openid = f"o-revoke-order-{which}"
    ids = await _chain_moved_out_of_id_order(api, openid)
    token = await RefreshToken.get(id=ids[0])
    revoke = (
        auth.revoke_all_sessions(token.user_id)  # type: ignore[attr-defined]
        if which == "member"
        else auth.revoke_family(token.family)
    )
    revoked = await waits_first_for(
        dsn, revoke, ("refresh_tokens", ids[0]), [("refresh_tokens", i) for i in ids[1:]]
    )
    assert revoked == 3
    assert await RefreshToken.filter(id__in=ids, revoked_at__isnull=True).count() == 0


async def test_a_sign_in_is_checked_without_reading_its_whole_chain(
    api: Api, runtime: Runtime, dsn: str
) -> None:
    """A member who stays signed in for a year adds a refresh token every two hours: the
    check each request makes (is this sign-in revoked?) reads the few revoked tokens, not
    the 4,000 of the chain."""
    session = await _sign_in(api, "o-long-chain")
    member = await _member_id("o-long-chain")
    family = (await RefreshToken.get(user_id=member)).family
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO refresh_tokens (family, token_hash, created_at, expires_at, used_at, "
            "user_id) SELECT $1::uuid, md5(g::text || $1::uuid::text), now(), "
            "now() + interval '30 days', now(), $2 FROM generate_series(1, 4000) g",
            family,
            member,
        )
        await conn.execute("ANALYZE refresh_tokens")
        plan = json.loads(
            await conn.fetchval(
                f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {auth._live_session()}", member, family
            )
        )[0]
    finally:
        await conn.close()
    assert plan["Plan"]["Shared Hit Blocks"] + plan["Plan"].get("Shared Read Blocks", 0) < 20
    viewer = await api.op("Viewer", token=session["token"])
    assert viewer["data"]["viewer"]["id"]


async def _expire(ids: list[int], ago: timedelta) -> None:
    await RefreshToken.filter(id__in=ids).update(expires_at=datetime.now(UTC) - ago)


async def test_expired_refresh_tokens_are_forgotten_and_the_sign_in_goes_on(
    api: Api, runtime: Runtime
) -> None:
    openid = "o-forgotten"
    session = await _sign_in(api, openid)
    second = await _refresh(api, session["refreshToken"])
    third = await _refresh(api, second["refreshToken"])
    ids = sorted(await RefreshToken.filter(user__openid=openid).values_list("id", flat=True))
    access_ttl = runtime.tokens.access_ttl
    await _expire(ids[:2], access_ttl + timedelta(minutes=1))
    assert await auth.forget_expired_sign_ins(runtime.tokens) == 2
    assert await RefreshToken.filter(id__in=ids).values_list("id", flat=True) == [ids[2]]
    # The sign-in holds: its access token works and its live token refreshes.
    viewer = await api.op("Viewer", token=third["token"])
    assert viewer["data"]["viewer"]["id"] == session["viewer"]["id"]
    assert "errors" not in await api.op("RefreshToken", {"refreshToken": third["refreshToken"]})
    # A forgotten token is refused as an expired one was.
    reused = await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})
    assert error_codes(reused) == ["UNAUTHENTICATED"]


async def test_a_revoked_sign_in_stays_revoked_while_its_access_tokens_could_be_shown(
    api: Api, runtime: Runtime
) -> None:
    """A revoked sign-in's tokens mark it revoked: they are kept until an access token issued
    with the newest of them has run out, however long ago they expired as refresh tokens."""
    session = await _sign_in(api, "o-revoked-kept")
    await _refresh(api, session["refreshToken"])
    await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})  # reused: revoked
    ids = await RefreshToken.filter(user__openid="o-revoked-kept").values_list("id", flat=True)
    await _expire(list(ids), runtime.tokens.access_ttl - timedelta(minutes=1))
    assert await auth.forget_expired_sign_ins(runtime.tokens) == 0
    assert error_codes(await api.op("Viewer", token=session["token"])) == ["UNAUTHENTICATED"]


async def test_forgetting_runs_in_batches_until_none_is_left(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, dsn: str
) -> None:
    member = (await make_user()).id
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO refresh_tokens (family, token_hash, created_at, expires_at, user_id) "
            "SELECT gen_random_uuid(), md5(g::text || 'batch'), now() - interval '40 days', "
            "now() - interval '10 days', $1 FROM generate_series(1, 25) g",
            member,
        )
    finally:
        await conn.close()
    monkeypatch.setattr(auth, "FORGET_BATCH", 10)
    assert await auth.forget_expired_sign_ins(runtime.tokens) == 25
    assert not await RefreshToken.filter(user_id=member).exists()


async def test_a_token_a_refresh_adds_while_its_sign_in_is_revoked_is_revoked_too(
    api: Api, dsn: str
) -> None:
    """A refresh under way holds the token it uses; the revocation waits for it, and the token
    the refresh adds, which came after the revocation's statement began, is revoked too
    (left live, it would make the sign-in hold again once its revoked tokens are forgotten)."""
    session = await _sign_in(api, "o-escaping")
    token = await RefreshToken.get(user__openid="o-escaping")
    refreshing = await asyncpg.connect(dsn)
    try:
        async with refreshing.transaction():  # as refresh_session does, by hand
            await refreshing.execute(
                "SELECT 1 FROM refresh_tokens WHERE id = $1 FOR UPDATE", token.id
            )
            revoking = asyncio.ensure_future(auth.revoke_family(token.family))
            try:
                await until_waiting(refreshing)
            except BaseException:
                revoking.cancel()
                raise
            await refreshing.execute(
                "UPDATE refresh_tokens SET used_at = now() WHERE id = $1", token.id
            )
            await refreshing.execute(
                "INSERT INTO refresh_tokens (family, token_hash, created_at, expires_at, "
                "user_id) SELECT family, md5(random()::text), now(), expires_at, user_id "
                "FROM refresh_tokens WHERE id = $1",
                token.id,
            )
        assert await asyncio.wait_for(revoking, 10) == 2
    finally:
        await refreshing.close()
    assert not await RefreshToken.filter(family=token.family, revoked_at__isnull=True).exists()
    assert error_codes(await api.op("Viewer", token=session["token"])) == ["UNAUTHENTICATED"]


async def test_a_live_token_of_a_revoked_sign_in_is_refused_and_revoked(api: Api) -> None:
    """However a token of a revoked sign-in stayed live, refreshing it is a reuse."""
    session = await _sign_in(api, "o-escaped")
    second = await _refresh(api, session["refreshToken"])
    await RefreshToken.filter(user__openid="o-escaped", used_at__isnull=False).update(
        revoked_at=datetime.now(UTC)
    )
    refused = await api.op("RefreshToken", {"refreshToken": second["refreshToken"]})
    assert error_codes(refused) == ["UNAUTHENTICATED"]
    assert not await RefreshToken.filter(user__openid="o-escaped", revoked_at__isnull=True)
