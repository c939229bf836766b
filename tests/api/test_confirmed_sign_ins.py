"""Sign-ins confirmed by the page's own statement (domain.auth.SignInCheck): a Feed page of a
member whose sign-in this process has checked runs one statement, not two, and answers
exactly what checking the sign-in with its own statement answers — a revoked sign-in, a ban,
a changed or deleted member, an expired or forged token are refused or seen at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api import kept_answers
from api.ids import from_global_id
from domain import auth
from domain.models import Role, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, configured_api
from tests.contract import operation
from tests.factories import make_post, make_user

FEED = {"kind": "LATEST", "first": 10}


class Checks:
    """How many times a sign-in was checked with its own statement."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        check = auth.authenticate

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await check(*args, **kwargs)

        monkeypatch.setattr(auth, "authenticate", counted)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Checks:
    kept_answers.forget_answers()
    return Checks(monkeypatch)


async def _sign_in(api: Api, openid: str) -> tuple[str, int]:
    """A member signed in as the mini-program signs in: (access token, member id)."""
    signed_in = (await api.op("DevLogin", {"openid": openid}))["data"]["devLogin"]
    return signed_in["token"], int(from_global_id(signed_in["viewer"]["id"])[1])


async def _post(
    client: httpx.AsyncClient, token: str, variables: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    answer = await client.post(
        "/graphql",
        json={"query": operation("Feed"), "variables": variables or FEED},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code, answer.json()


async def _confirmed(client: httpx.AsyncClient, token: str, checks: Checks) -> dict[str, Any]:
    """The Feed page, asked until the page's statement confirmed the sign-in."""
    for _ in range(3):
        before = checks.count
        status, answer = await _post(client, token)
        assert status == 200 and "errors" not in answer, answer
        if checks.count == before:
            return answer
    raise AssertionError("the page never confirmed the sign-in")


async def _confirmed_sign_in(
    api: Api, client: httpx.AsyncClient, checks: Checks, openid: str
) -> tuple[str, int]:
    """A member signed in whose Feed pages confirm their sign-in: (access token, member id)."""
    await make_post(await make_user(), f"{openid} 之前")
    token, member = await _sign_in(api, openid)
    await _confirmed(client, token, checks)
    return token, member


async def hot_community(runtime: Runtime, title: str) -> None:
    """Three posts by three members, and the HOT snapshot built of them."""
    from domain import hot

    for i in range(3):
        await make_post(await make_user(), f"{title}{i}")
    await hot.build_snapshot(runtime.store, "all")


async def _as_checked_alone(client: httpx.AsyncClient, token: str) -> tuple[int, dict[str, Any]]:
    """The Feed's answer when the sign-in is checked with its own statement."""
    auth.forget_sign_ins()
    return await _post(client, token)


def _same(one: tuple[int, dict[str, Any]], other: tuple[int, dict[str, Any]]) -> None:
    """The same status and answer, but for the request id an unexpected error carries."""
    for _, answer in (one, other):
        for error in answer.get("errors") or ():
            error.get("extensions", {}).pop("requestId", None)
    assert one == other


async def test_a_feed_page_confirms_a_checked_sign_in_with_its_own_statement(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    await make_post(await make_user(), "一条帖子")
    token, _ = await _sign_in(api, "o-confirm-1")
    first = await _confirmed(client, token, checks)
    counted = checks.count
    for _ in range(3):
        status, again = await _post(client, token)
        assert (status, again) == (200, first)
    assert checks.count == counted
    # Any other operation checks the sign-in with its own statement, as before.
    viewer = await api.op("Viewer", token=token)
    assert viewer["data"]["viewer"] is not None
    assert checks.count == counted + 1


@pytest.mark.parametrize("kind", ["HOT", "RECOMMENDED"])
async def test_hot_and_recommended_pages_confirm_it_too(
    api: Api, client: httpx.AsyncClient, runtime: Runtime, checks: Checks, kind: str
) -> None:
    await hot_community(runtime, "热门")
    token, member = await _sign_in(api, f"o-confirm-{kind}")
    variables = {"kind": kind, "first": 10}
    for _ in range(2):
        assert (await _post(client, token, variables))[0] == 200
    counted = checks.count
    status, answer = await _post(client, token, variables)
    assert status == 200 and answer["data"]["feed"]["edges"], answer
    assert checks.count == counted
    await auth.revoke_all_sessions(member)
    status, refused = await _post(client, token, variables)
    assert status == 401 and refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _revoke(member: int) -> None:
    await auth.revoke_all_sessions(member)


async def _ban(member: int) -> None:
    # the member's row alone: a ban written without revoking a single sign-in
    await User.filter(id=member).update(banned_until=datetime.now(UTC) + timedelta(days=1))


async def _delete(member: int) -> None:
    await User.filter(id=member).delete()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (_revoke, 401, "UNAUTHENTICATED"),
        (_ban, 403, "FORBIDDEN"),
        (_delete, 401, "UNAUTHENTICATED"),
    ],
    ids=["revoked", "banned", "deleted"],
)
async def test_a_sign_in_that_no_longer_holds_is_refused_at_the_edge_as_before(
    api: Api,
    client: httpx.AsyncClient,
    checks: Checks,
    change: Callable[[int], Awaitable[None]],
    status: int,
    code: str,
) -> None:
    token, member = await _confirmed_sign_in(
        api, client, checks, f"o-confirm-{code}-{status}-{change.__name__}"
    )
    await change(member)
    refused = await _post(client, token)
    assert refused[0] == status, refused
    assert refused[1]["errors"][0]["extensions"]["code"] == code
    _same(refused, await _as_checked_alone(client, token))


async def test_every_request_at_once_after_a_revocation_is_refused(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-confirm-many")
    await auth.revoke_all_sessions(member)
    answers = await asyncio.gather(*(_post(client, token) for _ in range(20)))
    assert {status for status, _ in answers} == {401}


async def test_a_ban_that_ran_out_while_kept_lets_the_member_in(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    await make_post(await make_user(), "解封")
    token, member = await _sign_in(api, "o-confirm-ban-ends")
    soon = datetime.now(UTC) + timedelta(seconds=1)
    await User.filter(id=member).update(banned_until=soon)
    assert (await _post(client, token))[0] == 403
    await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.05)
    await _confirmed(client, token, checks)


async def test_a_changed_member_is_read_again_then_confirmed_again(
    api: Api, client: httpx.AsyncClient, runtime: Runtime, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-confirm-changed")
    await User.filter(id=member).update(role=Role.MODERATOR, nickname="新名字")
    counted = checks.count
    assert (await _post(client, token))[0] == 200
    assert checks.count == counted + 1  # the row changed: checked with its own statement
    await _confirmed(client, token, checks)
    # and the member it confirms is the member as they are now
    check = auth.sign_in_to_confirm(runtime.tokens, token)
    assert isinstance(check, auth.SignInCheck)
    assert (check.member().role, check.member().nickname) == (Role.MODERATOR, "新名字")


async def test_an_expired_or_forged_token_of_a_checked_sign_in_is_refused(
    api: Api, client: httpx.AsyncClient, runtime: Runtime, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-confirm-expired")
    claims = runtime.tokens.verify_access(token)
    stale = datetime.now(UTC) - timedelta(days=1)
    expired, _ = runtime.tokens.issue_access(member, session=claims.session, now=stale)
    head, body, _ = token.split(".")
    other, _ = await _sign_in(api, "o-confirm-other")
    forged = f"{head}.{other.split('.')[1]}.{token.split('.')[2]}"
    for bad, reason in ((expired, "token_expired"), (forged, "token_invalid")):
        status, refused = await _post(client, bad)
        assert status == 401, refused
        assert refused["errors"][0]["extensions"]["reason"] == reason
    assert (await _post(client, f"{head}.{body}.x"))[0] == 401


async def test_an_empty_page_confirms_nothing(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    token, member = await _sign_in(api, "o-confirm-empty")
    for _ in range(2):
        assert (await _post(client, token))[0] == 200
    counted = checks.count
    status, answer = await _post(client, token)
    assert status == 200 and answer["data"]["feed"]["edges"] == []
    assert checks.count == counted + 1  # no row to confirm it: checked on its own
    await auth.revoke_all_sessions(member)
    assert (await _post(client, token))[0] == 401


async def test_with_kept_answers_off_every_request_checks_its_sign_in(
    runtime: Runtime, checks: Checks
) -> None:
    await make_post(await make_user(), "每次")
    async with configured_api(runtime, kept_answers=False) as (api, client):
        token, _ = await _sign_in(api, "o-confirm-off")
        for _ in range(3):
            before = checks.count
            assert (await _post(client, token))[0] == 200
            assert checks.count == before + 1


async def test_a_sign_in_checked_minutes_ago_is_checked_again(
    api: Api, client: httpx.AsyncClient, checks: Checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = await _confirmed_sign_in(api, client, checks, "o-confirm-minutes")
    later = time.monotonic() + auth.SIGN_IN_KEPT_SECONDS + 1
    monkeypatch.setattr(auth.time, "monotonic", lambda: later)
    counted = checks.count
    assert (await _post(client, token))[0] == 200
    assert checks.count == counted + 1  # a row version kept that long is not trusted
    await _confirmed(client, token, checks)  # and once checked again, it confirms again
