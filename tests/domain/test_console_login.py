"""Console sign-in nonces and links: one-time, short-lived, for staff only."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from domain import console_login
from domain.errors import Forbidden, NotFound
from domain.models import Role, User
from quanzi.bootstrap import Runtime
from quanzi.settings import Settings
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


async def test_an_approved_nonce_is_redeemed_once_for_the_approver(runtime: Runtime) -> None:
    store = runtime.store
    operator = await make_user(role=Role.OPERATOR)
    request = await console_login.request_login(store, "198.51.100.1", "Edge")
    ttl = await runtime.redis.pttl(store.key("console_login", request.nonce))
    assert 110_000 < ttl <= 120_000
    assert len(request.nonce) <= 32  # fits a mini-program's `scene`
    await console_login.approve_login(operator, store, request.nonce)
    user = await console_login.redeem_login(store, request.nonce)
    assert user is not None and user.id == operator.id
    with pytest.raises(NotFound):
        await console_login.redeem_login(store, request.nonce)


async def test_an_expired_nonce_is_not_found_and_members_approve_nothing(
    runtime: Runtime,
) -> None:
    store = runtime.store
    member = await make_user()
    request = await console_login.request_login(store, "198.51.100.2", "Safari")
    with pytest.raises(Forbidden):
        await console_login.approve_login(member, store, request.nonce)
    with pytest.raises(Forbidden):
        await console_login.get_login_request(member, store, request.nonce)
    assert await console_login.redeem_login(store, request.nonce) is None
    await runtime.redis.pexpire(store.key("console_login", request.nonce), 1)
    await asyncio.sleep(0.01)
    moderator = await make_user(role=Role.MODERATOR)
    for attempt in (
        console_login.get_login_request(moderator, store, request.nonce),
        console_login.approve_login(moderator, store, request.nonce),
        console_login.redeem_login(store, request.nonce),
    ):
        with pytest.raises(NotFound):
            await attempt


async def test_a_sign_in_link_works_once_for_ten_minutes_and_only_for_staff(
    runtime: Runtime,
) -> None:
    store = runtime.store
    moderator = await make_user(role=Role.MODERATOR)
    token = await console_login.create_login_link(store, moderator)
    ttl = await runtime.redis.pttl(store.key("console_link", token))
    assert 590_000 < ttl <= 600_000
    assert (await console_login.redeem_login_link(store, token)).id == moderator.id
    with pytest.raises(NotFound):
        await console_login.redeem_login_link(store, token)
    with pytest.raises(Forbidden):
        await console_login.create_login_link(store, await make_user())
    # Demoted after the link was made: the link no longer signs them in.
    demoted = await console_login.create_login_link(store, moderator)
    await User.filter(id=moderator.id).update(role=Role.MEMBER)
    with pytest.raises(Forbidden):
        await console_login.redeem_login_link(store, demoted)
    with pytest.raises(NotFound):
        await console_login.redeem_login_link(store, "no-such-token")


async def _console_link(settings: Settings, openid: str, var_dir: Path) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "QUANZI_REDIS_PREFIX": settings.redis_prefix,
        "QUANZI_PUBLIC_URL": "https://quanzi.example.com/",
        "QUANZI_VAR_DIR": str(var_dir),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "quanzi",
        "console-link",
        "--openid",
        openid,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode().strip(), err.decode()


async def test_quanzi_console_link_prints_a_url_whose_token_signs_the_member_in_once(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    moderator = await make_user(role=Role.MODERATOR, openid="cli-moderator")
    await make_user(openid="cli-member")
    code, url, _ = await _console_link(settings, "cli-moderator", tmp_path)
    assert code == 0
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "quanzi.example.com",
        "/console/login/link",
    )
    [token] = parse_qs(parts.query)["token"]
    assert (await console_login.redeem_login_link(runtime.store, token)).id == moderator.id
    with pytest.raises(NotFound):
        await console_login.redeem_login_link(runtime.store, token)
    code, _, err = await _console_link(settings, "cli-member", tmp_path)
    assert code == 1 and "not staff" in err
