"""Attacks on sign-ins confirmed by a Feed page's own statement (domain.auth.SignInCheck): a
revoked, banned, deleted, demoted or changed member, a rotated or reused refresh token, two
members sharing a sign-in id, GET and persisted queries, documents of every shape, a page
that raises, concurrency and the store's bounds — each request answers exactly what it
answers when its sign-in is checked with its own statement, and does nothing more."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from api import feeds as api_feeds
from api import kept_answers
from api.ids import to_global_id
from api.persisted import sha256
from domain import auth, id_lists
from domain.likes import like_post
from domain.models import JoinPolicy, RefreshToken, Role, User
from quanzi.bootstrap import Runtime
from tests.api.test_confirmed_sign_ins import (
    FEED,
    Checks,
    _as_checked_alone,
    _confirmed,
    _confirmed_sign_in,
    _post,
    _same,
    _sign_in,
    hot_community,
)
from tests.conftest import Api
from tests.factories import make_circle, make_post, make_user


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Checks:
    kept_answers.forget_answers()
    auth.forget_sign_ins()
    return Checks(monkeypatch)


async def _ask(
    client: httpx.AsyncClient,
    token: str,
    query: str,
    variables: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    answer = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code, answer.json()


async def _alone(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    auth.forget_sign_ins()
    return await _ask(client, token, query, variables)


async def _confirms(
    client: httpx.AsyncClient,
    token: str,
    checks: Checks,
    query: str,
    variables: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """The answer once a page confirmed the sign-in (no check of its own)."""
    for _ in range(4):
        before = checks.count
        answer = await _ask(client, token, query, variables)
        assert answer[0] == 200 and "errors" not in answer[1], answer
        if checks.count == before:
            return answer
    raise AssertionError("the page never confirmed the sign-in")


def _code(answer: tuple[int, dict[str, Any]]) -> tuple[int, str, str | None]:
    error = answer[1]["errors"][0]["extensions"]
    return answer[0], error["code"], error.get("reason")


# ---------------------------------------------------------------- refresh tokens


async def test_a_rotated_refresh_token_keeps_the_sign_in_and_its_reuse_ends_it(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    await make_post(await make_user(), "轮换")
    signed_in = (await api.op("DevLogin", {"openid": "o-attack-rotate"}))["data"]["devLogin"]
    old_access, old_refresh = signed_in["token"], signed_in["refreshToken"]
    await _confirmed(client, old_access, checks)
    rotated = (await api.op("RefreshToken", {"refreshToken": old_refresh}))["data"]["refreshToken"]
    new_access = rotated["token"]
    # the same sign-in: the new access token's page confirms it as well
    await _confirmed(client, new_access, checks)
    # the old refresh token used again: its whole sign-in is revoked
    reused = await api.op("RefreshToken", {"refreshToken": old_refresh})
    assert reused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for token in (new_access, old_access):
        refused = await _post(client, token)
        assert _code(refused) == (401, "UNAUTHENTICATED", "session_revoked"), refused
        _same(refused, await _as_checked_alone(client, token))


async def test_a_reuse_racing_the_pages_of_the_sign_in_ends_every_later_page(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    await make_post(await make_user(), "竞速")
    signed_in = (await api.op("DevLogin", {"openid": "o-attack-race"}))["data"]["devLogin"]
    token, refresh = signed_in["token"], signed_in["refreshToken"]
    await _confirmed(client, token, checks)
    await api.op("RefreshToken", {"refreshToken": refresh})

    async def reuse() -> None:
        await api.op("RefreshToken", {"refreshToken": refresh})

    racing = await asyncio.gather(*(_post(client, token) for _ in range(10)), reuse())
    for answer in racing[:-1]:
        assert answer is not None
        status, body = answer
        assert status in (200, 401), answer
        if status == 200:
            assert body["data"]["feed"]["edges"], body
    answers = await asyncio.gather(*(_post(client, token) for _ in range(10)))
    assert {status for status, _ in answers} == {401}


# ---------------------------------------------------------------- whose sign-in


async def test_a_token_naming_another_members_sign_in_answers_as_checked_alone(
    api: Api, client: httpx.AsyncClient, runtime: Runtime, checks: Checks
) -> None:
    await make_post(await make_user(), "别人的登录")
    _, other = await _sign_in(api, "o-attack-theirs")
    family = (await RefreshToken.filter(user_id=other).first()).family  # type: ignore[union-attr]
    me = await make_user()
    token, _ = runtime.tokens.issue_access(me.id, session=family)
    confirmed = await _confirmed(client, token, checks)
    _same((200, confirmed), await _as_checked_alone(client, token))
    await auth.revoke_all_sessions(other)  # their sign-in, not mine
    after = await _post(client, token)
    _same(after, await _as_checked_alone(client, token))
    assert after[0] == 200


async def test_two_members_with_one_sign_in_id_each_see_their_own_page(
    client: httpx.AsyncClient, runtime: Runtime, checks: Checks
) -> None:
    post = await make_post(await make_user(), "谁点了赞")
    liker, other = await make_user(), await make_user()
    await like_post(liker, post.id, rules=runtime.rules)
    shared = uuid.uuid4()
    liker_token, _ = runtime.tokens.issue_access(liker.id, session=shared)
    other_token, _ = runtime.tokens.issue_access(other.id, session=shared)
    for _ in range(2):
        mine = await _confirmed(client, liker_token, checks)
        theirs = await _confirmed(client, other_token, checks)
        assert mine["data"]["feed"]["edges"][0]["node"]["viewerHasLiked"] is True
        assert theirs["data"]["feed"]["edges"][0]["node"]["viewerHasLiked"] is False
    await User.filter(id=liker.id).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    refused = await _post(client, liker_token)
    assert _code(refused) == (403, "FORBIDDEN", None) or refused[0] == 403, refused
    still = await _post(client, other_token)
    assert still == (200, theirs)
    _same(refused, await _as_checked_alone(client, liker_token))


# ---------------------------------------------------------------- the member changed


async def test_a_moderator_demoted_after_a_kept_sign_in_no_longer_sees_a_closed_circle(
    client: httpx.AsyncClient, runtime: Runtime, checks: Checks
) -> None:
    from tests.factories import token_for

    author, moderator = await make_user(), await make_user(role=Role.MODERATOR)
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[author])
    post = to_global_id("Post", (await make_post(author, "闭圈", circle_id=circle.id)).id)
    token = token_for(runtime, moderator)
    seen = await _confirmed(client, token, checks)
    assert post in [e["node"]["id"] for e in seen["data"]["feed"]["edges"]]
    await User.filter(id=moderator.id).update(role=Role.MEMBER)
    answer = await _post(client, token)
    assert post not in [e["node"]["id"] for e in answer[1]["data"]["feed"]["edges"]]
    _same(answer, await _as_checked_alone(client, token))
    # promoted back: seen again at once
    await User.filter(id=moderator.id).update(role=Role.MODERATOR)
    answer = await _post(client, token)
    assert post in [e["node"]["id"] for e in answer[1]["data"]["feed"]["edges"]]


async def test_a_row_changed_twice_in_one_transaction_is_seen_changed(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-attack-twice")
    async with in_transaction():
        await User.filter(id=member).update(nickname="改一")
        await User.filter(id=member).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    refused = await _post(client, token)
    assert refused[0] == 403, refused
    _same(refused, await _as_checked_alone(client, token))


async def test_a_ban_lifted_and_banned_again_is_refused_each_time(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-attack-reban")
    later = datetime.now(UTC) + timedelta(days=1)
    for banned_until in (later, None, later):
        await User.filter(id=member).update(banned_until=banned_until)
        answer = await _post(client, token)
        assert answer[0] == (403 if banned_until else 200), answer
        _same(answer, await _as_checked_alone(client, token))
        answer = await _post(client, token)  # and once more with the sign-in kept
        assert answer[0] == (403 if banned_until else 200), answer


# ---------------------------------------------------------------- the row's version


async def _xmin(member: int) -> int:
    rows = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT xmin::text::bigint AS v FROM users WHERE id = $1", [member]
    )
    return int(rows[0]["v"])


async def test_the_row_version_is_the_xid_as_an_integer_and_survives_vacuum_freeze(
    api: Api, client: httpx.AsyncClient, runtime: Runtime, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-attack-freeze")
    check = auth.sign_in_to_confirm(runtime.tokens, token)
    assert isinstance(check, auth.SignInCheck)
    assert type(check.version) is int and check.version == await _xmin(member)
    await Tortoise.get_connection("default").execute_script("VACUUM (FREEZE) users")
    assert await _xmin(member) == check.version  # a frozen row still shows its xmin
    await _confirmed(client, token, checks)  # and still confirms
    await User.filter(id=member).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    await Tortoise.get_connection("default").execute_script("VACUUM (FREEZE) users")
    refused = await _post(client, token)
    assert refused[0] == 403, refused
    _same(refused, await _as_checked_alone(client, token))


# ---------------------------------------------------------------- documents of every shape

SHAPES = {
    "aliased": """query A($first: Int) { mine: feed(kind: LATEST, first: $first) {
        __typename edges { cursor node { __typename id title viewerHasLiked } } } }""",
    "fragment": """query B($kind: FeedKind!, $first: Int) { feed(kind: $kind, first: $first) {
        ...Page } } fragment Page on PostConnection { edges { node { id ...Card } }
        pageInfo { hasNextPage endCursor } } fragment Card on Post { title author { id } }""",
    "included": """query C($first: Int) { feed(kind: LATEST, first: $first) {
        edges { node { id body @include(if: true) title @skip(if: true) } } } }""",
    "hot": """query D { feed(kind: HOT, first: 5) { edges { node { id title } } } }""",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
async def test_each_shape_of_feed_document_confirms_then_refuses_as_checked_alone(
    api: Api, client: httpx.AsyncClient, runtime: Runtime, checks: Checks, shape: str
) -> None:
    await hot_community(runtime, "形状")
    query = SHAPES[shape]
    variables = {"first": 5} if "$first" in query else {}
    if "$kind" in query:
        variables["kind"] = "LATEST"
    token, member = await _sign_in(api, f"o-attack-shape-{shape}")
    kept = await _confirms(client, token, checks, query, variables)
    _same(kept, await _alone(client, token, query, variables))
    await User.filter(id=member).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    await _ask(client, token, query, variables)  # checked again: the ban is kept
    refused = await _ask(client, token, query, variables)
    assert refused[0] == 403, refused
    _same(refused, await _alone(client, token, query, variables))
    await User.filter(id=member).update(banned_until=None)
    await auth.revoke_all_sessions(member)
    refused = await _ask(client, token, query, variables)
    assert _code(refused) == (401, "UNAUTHENTICATED", "session_revoked"), refused


# ---------------------------------------------------------------- GET, persisted queries

LATEST_GET = (
    "query LatestGet($first: Int)"
    " { feed(kind: LATEST, first: $first) { edges { node { id title } } } }"
)


async def test_a_persisted_feed_over_get_confirms_and_refuses_as_checked_alone(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    await make_post(await make_user(), "GET 也一样")
    token, member = await _sign_in(api, "o-attack-get")
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(LATEST_GET)}}
    headers = {"Authorization": f"Bearer {token}"}
    registered = await client.post(
        "/graphql",
        json={"query": LATEST_GET, "variables": {"first": 3}, "extensions": extensions},
        headers=headers,
    )
    assert registered.status_code == 200 and "errors" not in registered.json()
    params = {
        "extensions": json.dumps(extensions),
        "variables": json.dumps({"first": 3}),
        "operationName": "LatestGet",
    }

    async def get() -> httpx.Response:
        return await client.get("/graphql", params=params, headers=headers)

    confirmed = 0
    for _ in range(3):
        before = checks.count
        hit = await get()
        assert hit.status_code == 200 and hit.json() == registered.json()
        assert hit.headers["cache-control"] == "private, no-store"
        confirmed += checks.count == before
    # one was confirmed by its page (the field takes no page read ahead: not read again)
    assert confirmed >= 1
    await auth.revoke_all_sessions(member)
    refused = await get()
    assert refused.status_code == 401, refused.text
    assert refused.headers["cache-control"] == "no-store"
    auth.forget_sign_ins()
    alone = await get()
    _same((alone.status_code, alone.json()), (refused.status_code, refused.json()))


# ---------------------------------------------------------------- pages that raise or refuse


async def test_a_bad_cursor_with_a_kept_sign_in_answers_as_checked_alone(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-attack-cursor")
    for after in ("garbage", "eyJ4IjoxfQ"):
        variables = {**FEED, "after": after}
        bad = await _post(client, token, variables)
        assert _code(bad) == (200, "BAD_USER_INPUT", None), bad
        auth.forget_sign_ins()
        _same(bad, await _post(client, token, variables))
    await auth.revoke_all_sessions(member)
    for variables in ({**FEED, "after": "garbage"}, {**FEED, "first": 10_000}, {"kind": "LATEST"}):
        refused = await _post(client, token, variables)
        assert _code(refused) == (401, "UNAUTHENTICATED", "session_revoked"), refused


async def test_variables_refused_with_a_kept_sign_in_answer_as_checked_alone(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-attack-vars")
    unstorable = {**FEED, "after": "\u0000"}
    wrong = {**FEED, "first": "many"}
    for variables in (unstorable, wrong):
        answer = await _post(client, token, variables)
        auth.forget_sign_ins()
        _same(answer, await _post(client, token, variables))
    await User.filter(id=member).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    await _post(client, token)  # the ban is kept
    for variables in (unstorable, wrong):
        refused = await _post(client, token, variables)
        auth.forget_sign_ins()
        _same(refused, await _post(client, token, variables))


async def test_an_operation_beside_the_feed_checks_the_sign_in_itself(
    api: Api, client: httpx.AsyncClient, checks: Checks
) -> None:
    token, member = await _confirmed_sign_in(api, client, checks, "o-attack-beside")
    both = (
        "query Both { viewer { id nickname }"
        " feed(kind: LATEST, first: 3) { edges { node { id } } } }"
    )
    await _ask(client, token, both)
    await User.filter(id=member).update(nickname="新昵称")
    answer = await _ask(client, token, both)
    assert answer[1]["data"]["viewer"]["nickname"] == "新昵称", answer
    await auth.revoke_all_sessions(member)
    assert (await _ask(client, token, both))[0] == 401


# ---------------------------------------------------------------- what a refused page does


async def _claim_ran_out(runtime: Runtime, member: int) -> None:
    """As when the member's claim to have their list built has run out."""
    await runtime.redis.delete(runtime.store.key("recclaim", member))
    id_lists.forget_claims()


async def _ban(member: int) -> None:
    await User.filter(id=member).update(banned_until=datetime.now(UTC) + timedelta(days=1))


async def _delete(member: int) -> None:
    await User.filter(id=member).delete()


def _asked_for_lists(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The members a RECOMMENDED list is asked for (api.feeds._ask_for_list), in order."""
    asked: list[int] = []

    async def ask_for_list(_: Runtime, user_id: int) -> None:
        asked.append(user_id)

    monkeypatch.setattr(api_feeds, "_ask_for_list", ask_for_list)
    return asked


async def _asking_member(
    api: Api, client: httpx.AsyncClient, runtime: Runtime, openid: str, variables: dict[str, Any]
) -> tuple[str, int]:
    """A member signed in who has read three RECOMMENDED pages of a HOT community."""
    await hot_community(runtime, openid)
    token, member = await _sign_in(api, openid)
    for _ in range(3):
        assert (await _post(client, token, variables))[0] == 200
    return token, member


@pytest.mark.parametrize(
    ("change", "status"),
    [(auth.revoke_all_sessions, 401), (_ban, 403), (_delete, 401)],
    ids=["revoked", "banned", "deleted"],
)
async def test_a_revoked_banned_or_deleted_members_recommended_page_asks_for_no_list(
    api: Api,
    client: httpx.AsyncClient,
    runtime: Runtime,
    checks: Checks,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[int], Awaitable[object]],
    status: int,
) -> None:
    """A page refused at the edge does nothing on the member's behalf: checked alone, it
    never runs; confirmed by its page, the page read before the refusal must not either."""
    variables = {"kind": "RECOMMENDED", "first": 10}
    asked = _asked_for_lists(monkeypatch)
    token, member = await _asking_member(api, client, runtime, "o-attack-rebuild", variables)
    assert member in asked  # a member with no list asks for one
    await change(member)
    asked.clear()
    await _claim_ran_out(runtime, member)
    refused = await _post(client, token, variables)
    assert refused[0] == status, refused
    assert asked == []
    # as when the sign-in is checked with its own statement: refused before anything runs
    await _claim_ran_out(runtime, member)
    auth.forget_sign_ins()
    _same(refused, await _post(client, token, variables))
    assert asked == []


async def test_a_member_whose_kept_sign_in_still_holds_still_asks_for_a_list(
    api: Api,
    client: httpx.AsyncClient,
    runtime: Runtime,
    checks: Checks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variables = {"kind": "RECOMMENDED", "first": 10}
    asked = _asked_for_lists(monkeypatch)
    token, member = await _asking_member(api, client, runtime, "o-attack-still-asks", variables)
    for changed in (False, True):
        if changed:  # not confirmed by the page: checked alone, the member still asks
            await User.filter(id=member).update(nickname="换名")
        asked.clear()
        await _claim_ran_out(runtime, member)
        assert (await _post(client, token, variables))[0] == 200
        assert asked == [member]


# ---------------------------------------------------------------- the store's bounds


async def test_the_sign_ins_kept_are_bounded_and_copies() -> None:
    auth.forget_sign_ins()
    try:
        row = {"id": 1, "_version": 7}
        for n in range(auth.SIGN_INS_MAX + 5):
            now = datetime.now(UTC)
            claims = auth.AccessClaims(n, now, now, session=uuid.uuid4())
            auth._remember(claims, row)
            assert len(auth._signed_in) <= auth.SIGN_INS_MAX
        kept = next(iter(auth._signed_in.values()))
        assert kept[0] is not row and kept[0] == row
    finally:
        auth.forget_sign_ins()


# ---------------------------------------------------------------- sockets


async def test_a_socket_of_a_kept_sign_in_checks_it_itself(
    client: httpx.AsyncClient, runtime: Runtime, checks: Checks
) -> None:
    from tests.api.test_sockets import Socket
    from tests.serving import serving

    await make_post(await make_user(), "套接字")
    member = await make_user()
    session = await auth.start_session(runtime.tokens, member, is_new_user=False)
    token = session.access_token
    await _confirmed(client, token, checks)  # kept in this process
    async with serving(runtime) as base:
        socket = await (await Socket.open(base, token)).acked()
        page = await socket.run("Feed", FEED)
        assert "errors" not in page["payload"], page
        await auth.revoke_all_sessions(member.id)
        await socket.subscribe("Feed", FEED)
        assert await socket.closed() == (4401, "session_revoked")
        refused = await Socket.open(base, token)
        assert await refused.closed() == (4401, "session_revoked")
