"""Console sign-in nonces and links: one-time, short-lived, for staff only."""

from __future__ import annotations

import asyncio

import pytest

from domain import console_login
from domain.errors import Forbidden, NotFound
from domain.models import Role, User
from quanzi.bootstrap import Runtime
from tests.factories import make_user


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
