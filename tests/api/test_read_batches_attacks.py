"""Attacks on feed pages read together (adapters/read_batches.py): a hostile member's cursors
and a careless caller's values, many members at once with writes between their reads,
cancellations and failing batches. Each request must answer exactly what it answers when
read alone (`read_batch_size` 1), byte for byte, and nothing one request does may show in,
fail or slow another's page beyond reading it alone."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import httpx
import pytest
from tortoise import connections

from adapters import read_batches, sql
from api.ids import to_global_id
from domain import auth, hot
from domain.models import JoinPolicy, Post, User
from domain.pagination import encode_cursor
from quanzi.bootstrap import Runtime
from tests.api.conftest import TOGETHER, Sent, batch_size
from tests.api.test_pool_leaks import connections_in_use
from tests.conftest import Api, configured_api
from tests.contract import operation
from tests.factories import make_circle, make_post, make_user, token_for


def _plain(rows: Any) -> Any:
    if isinstance(rows, BaseException):
        return type(rows)
    return [tuple(r.items()) for r in rows]


async def _each_alone_and_together(statement: str, asks: list[tuple[Any, ...]]) -> list[Any]:
    """Every ask read alone (batching off), then all at once (batching on): the outcomes,
    which must be equal."""
    batch_size(1)
    alone = [
        _plain(r)
        for r in await asyncio.gather(
            *(sql.fetch_batched(statement, *ask) for ask in asks), return_exceptions=True
        )
    ]
    batch_size(len(asks))
    await sql.fetch_batched(statement, *asks[-1])  # its types learned
    together = [
        _plain(r)
        for r in await asyncio.gather(
            *(sql.fetch_batched(statement, *ask) for ask in asks), return_exceptions=True
        )
    ]
    assert together == alone
    return together


# ---------------------------------------------------------------- values a batch carries


async def test_a_moment_whose_offset_postgres_refuses_does_not_fail_its_batch(
    runtime: Runtime, sent: Sent
) -> None:
    """Python holds offsets PostgreSQL's timestamptz input refuses (+23:00, or seconds with a
    fraction); asyncpg sends the instant, so a read alone answers, but a batch that carried
    the moment as its own ISO text failed whole, and every request in it was read again
    alone: one member's cursor (decode_values accepts both) made every batch it joined fail.
    The others would notice nothing but a slower page; PostgreSQL logs an error each time."""
    statement = "SELECT $1::timestamptz AS at, $2::int AS n"
    asks: list[tuple[Any, ...]] = [
        (datetime(2026, 1, 2, 3, 4, 5, 6, timezone(timedelta(hours=23))), 1),
        (datetime(2026, 1, 2, tzinfo=timezone(timedelta(hours=5, seconds=15, microseconds=7))), 2),
        (datetime(2026, 1, 2, tzinfo=timezone(timedelta(hours=-15, minutes=-59))), 3),
        (datetime(2026, 1, 2, tzinfo=UTC), 4),
    ]
    answers = await _each_alone_and_together(statement, asks)
    assert all(not isinstance(a, type) for a in answers)
    assert sent.failed == []
    assert sent.batches[-1] == 4


async def test_values_json_or_postgresql_treat_differently_answer_as_read_alone(
    runtime: Runtime, sent: Sent
) -> None:
    """Values a careless caller (or a forged cursor) might pass: NUL, a lone surrogate, a
    megabyte of text, 2**63, a str or a bool where an integer is expected, a float, a naive
    moment, a tuple or a str where asyncpg takes them. Each answers (rows or an error of the
    same kind) exactly as read alone, and the other requests of its batch get their rows."""
    statement = "SELECT $1::bigint AS n, $2::text AS said, $3::timestamptz AS at, $4::uuid AS u"
    at, sid = datetime(2026, 3, 4, 5, 6, 7, 8, UTC), uuid4()
    fine = (7, "好", at, sid)
    odd: list[tuple[Any, ...]] = [
        (1, "a\x00b", at, sid),
        (2, "\ud800", at, sid),
        (3, "长" * 1_000_000, at, sid),
        (2**63, "x", at, sid),
        (-(2**63) - 1, "x", at, sid),
        ("5", "x", at, sid),
        (True, "x", at, sid),
        (1.5, "x", at, sid),
        (4, 5, at, sid),
        (4, "x", datetime(2026, 3, 4, 5, 6, 7), sid),
        (4, "x", at, str(sid)),
        (4, "x", at, "not-a-uuid"),
        (4, "\\u0000 \u2028 \U0010ffff '\"", at, sid),
        (None, None, None, None),
    ]
    for value in odd:
        await _each_alone_and_together(statement, [fine, value, fine, fine])
    assert connections_in_use() == 0


async def test_arrays_of_integers_at_their_edges_answer_as_read_alone(
    runtime: Runtime, sent: Sent
) -> None:
    """HOT's and RECOMMENDED's ids travel as a bigint[]: empty, huge, a None among them, an
    integer past 64 bits, a bool, a tuple — each as read alone."""
    statement = "SELECT n FROM unnest($1::bigint[]) WITH ORDINALITY AS x(n, i) ORDER BY i"
    fine = ([1, 2, 3],)
    odd: list[tuple[Any, ...]] = [
        ([],),
        (list(range(20_000)),),
        ([1, None, 3],),
        ([2**63],),
        ([True, 2],),
        ((1, 2),),
        (None,),
        ([[1, 2]],),
    ]
    for value in odd:
        await _each_alone_and_together(statement, [fine, value, fine])


# ---------------------------------------------------------------- through the app


async def _community(runtime: Runtime) -> tuple[list[User], list[Post], User, User]:
    """Pins (two), posts in a closed circle, likes, the HOT snapshot; eight readers: the
    circle's member, a liker, a moderator-free mix of others. (readers, posts, insider,
    liker)."""
    author, insider, liker = await make_user(), await make_user(), await make_user()
    others = [await make_user() for _ in range(6)]
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[insider, author])
    posts = [await make_post(author, f"第{i}篇", topics=[f"话题{i % 3}"]) for i in range(12)]
    posts += [await make_post(author, f"圈内{i}", circle_id=circle.id) for i in range(3)]
    now = datetime.now(UTC)
    for n, post in enumerate((posts[2], posts[13])):
        await Post.filter(id=post.id).update(
            pin_scope="GLOBAL", pinned_at=now - timedelta(minutes=n), pinned_until=None
        )
    for post in posts[::2]:
        await Post.filter(id=post.id).update(like_count=10 + post.id % 7, comment_count=3)
    await hot.build_snapshot(runtime.store)
    return [insider, liker, *others], posts, insider, liker


async def _raw(
    client: httpx.AsyncClient, token: str | None, variables: dict[str, Any]
) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    answer = await client.post(
        "/graphql", json={"query": operation("Feed"), "variables": variables}, headers=headers
    )
    return answer.status_code, answer.content


def _edges(answer: tuple[int, bytes]) -> list[dict[str, Any]]:
    body = json.loads(answer[1])
    assert "errors" not in body, body
    return body["data"]["feed"]["edges"]  # type: ignore[no-any-return]


async def _asks(client: httpx.AsyncClient, token: str | None) -> list[dict[str, Any]]:
    """A reader's pages: LATEST's top (two pins), after the first pin, after the pins, after
    a regular post, its last page, past its end (empty), none at all (first: 0), HOT's and
    RECOMMENDED's."""
    top = _edges(await _raw(client, token, {"kind": "LATEST", "first": 3}))
    whole = _edges(await _raw(client, token, {"kind": "LATEST", "first": 50}))
    last = whole[-1]["cursor"]
    return [
        {"kind": "LATEST", "first": 3},
        {"kind": "LATEST", "first": 3, "after": top[0]["cursor"]},
        {"kind": "LATEST", "first": 3, "after": top[1]["cursor"]},
        {"kind": "LATEST", "first": 3, "after": top[2]["cursor"]},
        {"kind": "LATEST", "first": 3, "after": whole[-3]["cursor"]},
        {"kind": "LATEST", "first": 3, "after": last},
        {"kind": "LATEST", "first": 0},
        {"kind": "HOT", "first": 4},
        {"kind": "RECOMMENDED", "first": 4},
    ]


async def test_a_forged_cursor_in_another_offset_does_not_fail_the_batches_it_joins(
    runtime: Runtime, sent: Sent
) -> None:
    """A member forges LATEST's cursor: the same instant written at +23:00 (decode_values takes
    any offset Python holds, and the page is the one its genuine cursor pages to). Asked at
    once with other members' next pages, every batch it joined failed in PostgreSQL and all
    its requests were read again alone — one member could turn batching off for everyone
    reading with them, and add a failing statement to each batch."""
    readers, _, _, _ = await _community(runtime)
    tokens = [token_for(runtime, u) for u in readers[2:6]]  # alike: no circle, no like
    async with configured_api(runtime, rate_limits_enabled=False) as (_, client):
        top = _edges(await _raw(client, tokens[0], {"kind": "LATEST", "first": 3}))
        genuine = top[-1]["cursor"]
        at, pk = json.loads(base64.urlsafe_b64decode(genuine + "=" * (-len(genuine) % 4)))
        instant = datetime.fromisoformat(at).astimezone(timezone(timedelta(hours=23)))
        forged = encode_cursor([instant, pk])
        asks = [(t, {"kind": "LATEST", "first": 3, "after": genuine}) for t in tokens[1:]]
        asks.append((tokens[0], {"kind": "LATEST", "first": 3, "after": forged}))
        for _ in range(3):  # each sign-in checked, then confirmed by its pages
            alone = [await _raw(client, t, v) for t, v in asks]
        assert all(a[0] == 200 and _edges(a) for a in alone)
        assert _edges(alone[-1]) == _edges(alone[0])
        sent.clear()
        for _ in range(3):
            together = await asyncio.gather(*(_raw(client, t, v) for t, v in asks))
            assert together == alone
    assert max(sent.batches) > 1
    assert sent.failed == []
    assert connections_in_use() == 0


async def test_forty_pages_at_once_are_byte_for_byte_the_pages_read_alone(
    runtime: Runtime, sent: Sent
) -> None:
    """Eight readers (a closed circle's member, a liker, others, anonymous) each ask for nine
    pages — pins then posts, cursors after a pin and after the pins, a short last page, an
    empty one past the end, `first: 0`, HOT, RECOMMENDED — all at once, several times: the
    bytes of every answer are those read with batching off. A mis-split batch would show one
    reader another's likes or closed circle, or a page of the wrong length."""
    readers, posts, _, _ = await _community(runtime)
    tokens: list[str | None] = [token_for(runtime, u) for u in readers] + [None]
    async with configured_api(runtime, rate_limits_enabled=False) as (api, client):
        for post in posts[:4]:
            liked = await api.op(
                "LikePost", {"postId": to_global_id("Post", post.id)}, token=tokens[1]
            )
            assert "errors" not in liked
        asks = [(t, v) for t in tokens for v in await _asks(client, t)]
        batch_size(1)
        alone = [await _raw(client, t, v) for t, v in asks]
        alone_again = await asyncio.gather(*(_raw(client, t, v) for t, v in asks))
        assert alone_again == alone
        batch_size(4)
        sent.clear()
        for _ in range(3):
            together = await asyncio.gather(*(_raw(client, t, v) for t, v in asks))
            for ask, one, other in zip(asks, alone, together, strict=True):
                assert one == other, ask
        assert sent.batches and max(sent.batches) > 1 and sent.failed == []
        batch_size(64)  # the largest batches the settings allow
        together = await asyncio.gather(*(_raw(client, t, v) for t, v in asks))
        assert together == alone
    assert connections_in_use() == 0
    sizes = {len(_edges(a)) for a in alone}
    assert 0 in sizes and 3 in sizes and len(sizes) > 2  # pages of different lengths
    insider_bodies = {
        e["node"]["body"]
        for t, a in zip(asks, alone, strict=True)
        if t[0] == tokens[0]
        for e in _edges(a)
    }
    other_bodies = {
        e["node"]["body"]
        for t, a in zip(asks, alone, strict=True)
        if t[0] != tokens[0]
        for e in _edges(a)
    }
    assert any(b.startswith("圈内") for b in insider_bodies)
    assert not any(b.startswith("圈内") for b in other_bodies)
    liked_by = {
        t[0]
        for t, a in zip(asks, alone, strict=True)
        for e in _edges(a)
        if e["node"]["viewerHasLiked"]
    }
    assert liked_by == {tokens[1]}


async def test_a_list_of_ids_reads_its_rows_in_the_same_order_alone_or_together(
    runtime: Runtime, sent: Sent
) -> None:
    """HOT's and RECOMMENDED's statement (domain.reads.readable_rows) has no ORDER BY: its
    rows come in the order of its plan, and a kept answer is keyed by them, `_row` included.
    On a table large enough for an index, with rows moved by updates, a batch's plan (a
    nested loop over the batch's rows) must read them in the order the plan alone reads, or
    every page read together misses the answers kept alone (and the other way round)."""
    from domain import reads

    author = await make_user()
    seed = await make_post(author, "种子")
    columns = [c for c in sql.columns(Post).split(", ") if c != "id"]
    listed = ", ".join(columns)
    await sql.fetch(
        f"INSERT INTO posts ({listed}) SELECT {listed} FROM posts, generate_series(1, 3000)"
        " WHERE id = $1 RETURNING id",
        seed.id,
    )
    ids = [row["id"] for row in await sql.fetch("SELECT id FROM posts ORDER BY id")]
    moved = ids[100:3000:97]
    await sql.execute("UPDATE posts SET like_count = 1 WHERE id = ANY($1::bigint[])", moved)
    await sql.execute("ANALYZE posts")
    pages = [moved[:7][::-1], ids[50:57], [*moved[8:11], *ids[200:204]], moved[12:19]]
    readers = [await make_user() for _ in pages]
    batch_size(1)
    alone = [
        [tuple(r.values()) for r in await reads.readable_rows(p, u, versions=True, heads=True)]
        for p, u in zip(pages, readers, strict=True)
    ]
    for many in (2, 4):
        batch_size(many)
        for _ in range(7):  # past PostgreSQL's custom plans, to its generic one
            together = await asyncio.gather(
                *(
                    reads.readable_rows(p, u, versions=True, heads=True)
                    for p, u in zip(pages, readers, strict=True)
                )
            )
            assert [[tuple(r.values()) for r in rows] for rows in together] == alone
    assert sent.batches and sent.failed == []


# ---------------------------------------------------------------- sign-ins in a batch


def _without_request_ids(answer: tuple[int, bytes]) -> tuple[int, Any]:
    body = json.loads(answer[1])
    for error in body.get("errors") or ():
        error.get("extensions", {}).pop("requestId", None)
    return answer[0], body


async def test_a_revoked_a_banned_and_a_deleted_member_batched_with_others_are_refused(
    api: Api, runtime: Runtime, sent: Sent
) -> None:
    """Six signed-in members whose pages confirm their sign-ins (`_signin_version`,
    `_signin_live` beside each row). One is revoked, one banned, one deleted, one renamed;
    then all ask at once, and again. Each answer is what its sign-in checked with its own
    statement and read alone answers: a batch must not confirm one member's sign-in by
    another's columns, nor show a refused member a page."""
    from tests.api.test_confirmed_sign_ins import _sign_in

    await make_post(await make_user(), "大家好")
    await hot.build_snapshot(runtime.store)
    members = [await _sign_in(api, f"o-batch-{i}") for i in range(6)]
    asks = [
        (token, {"kind": kind, "first": 5}) for token, _ in members for kind in ("LATEST", "HOT")
    ]
    async with configured_api(runtime, rate_limits_enabled=False) as (_, client):
        for _ in range(3):  # checked, then confirmed by the pages
            for token, variables in asks:
                assert (await _raw(client, token, variables))[0] == 200
        await auth.revoke_all_sessions(members[0][1])
        await User.filter(id=members[1][1]).update(
            banned_until=datetime.now(UTC) + timedelta(days=1)
        )
        await User.filter(id=members[2][1]).delete()
        await User.filter(id=members[3][1]).update(nickname="改名了")
        sent.clear()
        together = [await asyncio.gather(*(_raw(client, t, v) for t, v in asks)) for _ in range(2)]
        assert sent.batches and max(sent.batches) > 1
        batch_size(1)
        auth.forget_sign_ins()
        alone = [await _raw(client, t, v) for t, v in asks]
    for answers in together:
        assert [_without_request_ids(a) for a in answers] == [
            _without_request_ids(a) for a in alone
        ]
    assert [a[0] for a in alone] == [401, 401, 403, 403, 401, 401] + [200] * 6


async def test_members_sharing_one_sign_in_id_in_one_batch_each_confirm_their_own(
    runtime: Runtime, sent: Sent
) -> None:
    """Four members whose tokens name the same sign-in (family), one of them banned after
    their pages confirmed it: read in one batch, the banned one is refused and the others'
    pages and likes stay their own."""
    post = await make_post(await make_user(), "同一个登录")
    members = [await make_user() for _ in range(4)]
    shared = uuid4()
    tokens = [runtime.tokens.issue_access(m.id, session=shared)[0] for m in members]
    async with configured_api(runtime, rate_limits_enabled=False) as (api, client):
        liked = await api.op("LikePost", {"postId": to_global_id("Post", post.id)}, token=tokens[2])
        assert "errors" not in liked
        for _ in range(3):
            for token in tokens:
                assert (await _raw(client, token, {"kind": "LATEST", "first": 5}))[0] == 200
        await User.filter(id=members[1].id).update(
            banned_until=datetime.now(UTC) + timedelta(days=1)
        )
        sent.clear()
        answers = await asyncio.gather(
            *(_raw(client, t, {"kind": "LATEST", "first": 5}) for t in tokens)
        )
    assert [a[0] for a in answers] == [200, 403, 200, 200]
    liked_flags = [_edges(answers[i])[0]["node"]["viewerHasLiked"] for i in (0, 2, 3)]
    assert liked_flags == [False, True, False]


# ---------------------------------------------------------------- cancellations, failures


def _batches() -> Any:
    return connections.get("default").read_batches  # type: ignore[attr-defined]


async def test_clients_gone_at_every_moment_leave_no_connection_and_no_wrong_page(
    runtime: Runtime, sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Members close the mini-program while their pages are forming a batch, while it is
    sent, while PostgreSQL reads it (slowed here) and while a failed batch is read again
    alone. Those who stayed get their own pages; no connection stays taken, no batch stays
    forming, nothing is left running; the next pages are the pages read alone."""
    readers, _, _, _ = await _community(runtime)
    tokens: list[str | None] = [token_for(runtime, u) for u in readers[:5]] + [None]
    fetch = read_batches.ReadBatches._fetch
    slow = {"on": False, "fail": False}

    async def slowed(batches: Any, query: str, values: Any) -> Any:
        if slow["on"]:
            await asyncio.sleep(0.01)
        if slow["fail"] and query.startswith(TOGETHER):
            query += " LIMIT 1 / (SELECT 0)"
        return await fetch(batches, query, values)

    monkeypatch.setattr(read_batches.ReadBatches, "_fetch", slowed)
    sent = Sent(monkeypatch)  # counting around the slowed read
    async with configured_api(runtime, rate_limits_enabled=False) as (_, client):
        asks = [(t, v) for t in tokens for v in (await _asks(client, t))[:5]]
        batch_size(1)
        alone = [await _raw(client, t, v) for t, v in asks]
        batch_size(4)
        for on, fail in ((False, False), (True, False), (True, True)):
            slow.update(on=on, fail=fail)
            for delay in (0.0, 0.001, 0.005, 0.012, 0.03):
                tasks = [asyncio.ensure_future(_raw(client, t, v)) for t, v in asks]
                await asyncio.sleep(delay)
                for task in tasks[::3]:
                    task.cancel()
                done = await asyncio.gather(*tasks, return_exceptions=True)
                for answer, expected in zip(done, alone, strict=True):
                    if not isinstance(answer, BaseException):
                        assert answer == expected
                    else:
                        assert isinstance(answer, asyncio.CancelledError)
        slow.update(on=False, fail=False)
        await asyncio.sleep(0.3)
        assert connections_in_use() == 0
        batches = _batches()
        assert not batches._forming and not batches._sending
        assert sent.batches and sent.failed
        again = await asyncio.gather(*(_raw(client, t, v) for t, v in asks))
        assert again == alone


async def test_a_batch_that_fails_answers_every_page_as_read_alone(
    runtime: Runtime, sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every batch's statement fails (as a plan PostgreSQL cannot run, a lost connection
    would): each page is read again alone and answers exactly, and no connection is left."""
    readers, _, _, _ = await _community(runtime)
    tokens: list[str | None] = [token_for(runtime, u) for u in readers] + [None]
    together = read_batches.together

    def failing(query: str, types: tuple[str, ...]) -> str:
        return together(query, types) + " LIMIT 1 / (SELECT 0)"

    async with configured_api(runtime, rate_limits_enabled=False) as (_, client):
        asks = [(t, v) for t in tokens for v in await _asks(client, t)]
        batch_size(1)
        alone = [await _raw(client, t, v) for t, v in asks]
        batch_size(4)
        for t, v in asks:  # each statement's types learned
            await _raw(client, t, v)
        monkeypatch.setattr(read_batches, "together", failing)
        sent.clear()
        for _ in range(2):
            answers = await asyncio.gather(*(_raw(client, t, v) for t, v in asks))
            assert answers == alone
    assert sent.failed and len(sent.failed) == len(sent.batches)
    assert connections_in_use() == 0


async def test_forty_members_at_once_with_likes_hides_and_bans_between_their_reads(
    runtime: Runtime, sent: Sent
) -> None:
    """Forty members read LATEST and HOT at once, three times, while one likes posts, a post
    is hidden and members are banned one by one. No page shows a like that is not its
    reader's, a closed circle's post to an outsider, a hidden post after it was hidden, or
    a banned member a page after their ban; afterwards, every page is the page read alone."""
    author, insider = await make_user(), await make_user()
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[insider, author])
    posts = [await make_post(author, f"篇{i}") for i in range(8)]
    posts += [await make_post(author, f"圈内{i}", circle_id=circle.id) for i in range(2)]
    await hot.build_snapshot(runtime.store)
    members = [insider] + [await make_user() for _ in range(39)]
    tokens = [token_for(runtime, m) for m in members]
    liker, banned = tokens[1], members[30:]
    hidden_at: list[datetime] = []
    banned_at: dict[str, datetime] = {}

    async def writes(api: Api) -> None:
        for post in posts[:6]:
            await api.op("LikePost", {"postId": to_global_id("Post", post.id)}, token=liker)
            await asyncio.sleep(0)
        await Post.filter(id=posts[7].id).update(status="HIDDEN")
        hidden_at.append(datetime.now(UTC))
        for member, token in zip(banned, tokens[30:], strict=True):
            await User.filter(id=member.id).update(
                banned_until=datetime.now(UTC) + timedelta(days=1)
            )
            banned_at[token] = datetime.now(UTC)
            await asyncio.sleep(0)

    async def read(token: str, kind: str) -> tuple[str, datetime, tuple[int, bytes]]:
        asked = datetime.now(UTC)
        return token, asked, await _raw(client, token, {"kind": kind, "first": 10})

    async with configured_api(runtime, rate_limits_enabled=False) as (api, client):
        for token in tokens:  # each sign-in checked once: later pages confirm it
            assert (await _raw(client, token, {"kind": "LATEST", "first": 10}))[0] == 200
        results: list[tuple[str, datetime, tuple[int, bytes]]] = []
        for _ in range(3):
            *answers, _ = await asyncio.gather(
                *(read(t, k) for t in tokens for k in ("LATEST", "HOT")), writes(api)
            )
            results += answers
        hidden = to_global_id("Post", posts[7].id)
        for token, asked, (status, content) in results:
            if token in banned_at and asked > banned_at[token]:
                assert status == 403, content
                continue
            if status != 200:
                assert token in banned_at and status == 403
                continue
            for edge in _edges((status, content)):
                node = edge["node"]
                assert not node["viewerHasLiked"] or token == liker
                assert token == tokens[0] or not node["body"].startswith("圈内")
                assert not (hidden_at and asked > hidden_at[0] and node["id"] == hidden)
        assert sent.batches and max(sent.batches) > 1
        final = [(t, {"kind": k, "first": 10}) for t in tokens for k in ("LATEST", "HOT")]
        together = await asyncio.gather(*(_raw(client, t, v) for t, v in final))
        batch_size(1)
        alone = [await _raw(client, t, v) for t, v in final]
    assert [_without_request_ids(a) for a in together] == [_without_request_ids(a) for a in alone]
    assert connections_in_use() == 0
