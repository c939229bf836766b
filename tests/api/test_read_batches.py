"""Feed pages read together (adapters/read_batches.py): requests that reach the same page
statement at once are read by one statement, and each reads exactly what it would alone —
the same cards, likes and closed circles, the same errors — and nothing a batch does can
leak one request's rows, error or cancellation into another's."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from adapters import read_batches, sql
from api import kept_answers, known_operations
from api.ids import to_global_id
from domain import hot
from domain.models import JoinPolicy, Post, User
from quanzi.bootstrap import Runtime
from tests.api.conftest import Sent, batch_size
from tests.api.test_pool_leaks import connections_in_use
from tests.conftest import Api, configured_api
from tests.contract import operation
from tests.factories import make_circle, make_post, make_user, token_for


async def _community(runtime: Runtime) -> tuple[list[str | None], list[Post]]:
    """Posts (one pinned, some in a closed circle, liked by some), the HOT snapshot, and the
    tokens of readers who see them differently: anonymous, the circle's member, likers."""
    author, insider, liker = await make_user(), await make_user(), await make_user()
    others = [await make_user() for _ in range(3)]
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[insider, author])
    posts = [await make_post(author, f"第{i}篇", topics=[f"话题{i % 3}"]) for i in range(12)]
    posts += [await make_post(author, f"圈内{i}", circle_id=circle.id) for i in range(3)]
    await Post.filter(id=posts[2].id).update(
        pin_scope="GLOBAL", pinned_at=datetime.now(UTC), pinned_until=None
    )
    for post in posts[::2]:
        await Post.filter(id=post.id).update(like_count=10 + post.id % 7, comment_count=3)
    await hot.build_snapshot(runtime.store)
    tokens: list[str | None] = [
        None,
        *(token_for(runtime, u) for u in (insider, liker, *others)),
    ]
    return tokens, posts


async def _pages(api: Api, tokens: list[str | None]) -> list[tuple[Any, ...]]:
    """Every reader's asks: LATEST's first and second page, HOT's, RECOMMENDED's."""
    asks: list[tuple[Any, ...]] = []
    for token in tokens:
        first = await api.op("Feed", {"kind": "LATEST", "first": 5}, token=token)
        after = first["data"]["feed"]["pageInfo"]["endCursor"]
        asks += [
            (token, {"kind": "LATEST", "first": 5}),
            (token, {"kind": "LATEST", "first": 5, "after": after}),
            (token, {"kind": "HOT", "first": 6}),
            (token, {"kind": "RECOMMENDED", "first": 6}),
        ]
    return asks


async def _answer(api: Api, token: str | None, variables: dict[str, Any]) -> dict[str, Any]:
    return await api.op("Feed", variables, token=token)


async def test_pages_read_together_are_the_pages_read_alone(runtime: Runtime, sent: Sent) -> None:
    """Every reader's pages asked at once equal the same pages asked one by one, and most of
    them were read in batches: a closed circle, a like, a pin and a cursor each stay the
    asking reader's own."""
    tokens, posts = await _community(runtime)
    async with configured_api(runtime, rate_limits_enabled=False) as (api, _):
        liker = tokens[2]
        for post in posts[:3]:
            liked = await api.op("LikePost", {"postId": to_global_id("Post", post.id)}, token=liker)
            assert "errors" not in liked
        asks = await _pages(api, tokens)
        alone = [await _answer(api, token, variables) for token, variables in asks]
        assert all("errors" not in a and a["data"]["feed"]["edges"] for a in alone)
        batched_before = len(sent.batches)
        for _ in range(3):
            together = await asyncio.gather(*(_answer(api, t, v) for t, v in asks))
            assert together == alone
        assert len(sent.batches) > batched_before
        assert max(sent.batches) > 1

    insider_cards = {e["node"]["body"] for e in alone[4]["data"]["feed"]["edges"]}
    anonymous_cards = {e["node"]["body"] for e in alone[0]["data"]["feed"]["edges"]}
    assert any(body.startswith("圈内") for body in insider_cards)
    assert not any(body.startswith("圈内") for body in anonymous_cards)
    liked = [e["node"]["viewerHasLiked"] for e in alone[8]["data"]["feed"]["edges"]]
    assert True in liked and all(
        not e["node"]["viewerHasLiked"] for e in alone[12]["data"]["feed"]["edges"]
    )


async def test_a_kept_answer_is_kept_whether_its_page_was_read_alone_or_together(
    runtime: Runtime, sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page read in a batch is the same rows as read alone: readers whose answers were
    kept one by one are answered from them when they ask all at once."""
    kept_answers.forget_answers()
    tokens, _ = await _community(runtime)
    readers = [t for t in tokens if t is not None]
    variables = {"kind": "LATEST", "first": 8}
    async with configured_api(runtime, rate_limits_enabled=False) as (api, _):
        for token in readers:
            for _ in range(3):  # the text's first run, the page kept, the answer kept
                await _answer(api, token, variables)
        executed = 0
        run = known_operations.execute

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal executed
            executed += 1
            return run(*args, **kwargs)

        monkeypatch.setattr(known_operations, "execute", counted)
        answers = await asyncio.gather(*(_answer(api, t, variables) for t in readers))
    assert all("errors" not in a for a in answers)
    assert executed == 0
    assert max(sent.batches) > 1


async def test_a_batch_is_never_larger_than_its_size(runtime: Runtime, sent: Sent) -> None:
    batch_size(3)
    statement = "SELECT $1::bigint AS n"
    await sql.fetch_batched(statement, 0)  # the first read learns the statement's types
    rows = await asyncio.gather(*(sql.fetch_batched(statement, i) for i in range(10)))
    assert [[dict(r) for r in rs] for rs in rows] == [[{"_row": 1, "n": i}] for i in range(10)]
    assert sent.batches == [3, 3, 3] and sent.alone == 2  # the last one alone


async def test_each_request_reads_its_own_rows_in_its_own_order(
    runtime: Runtime, sent: Sent
) -> None:
    """Rows of varying counts (none too), each request's in its statement's order; values
    that JSON could bend come through exactly: 64-bit integers, microseconds and offsets,
    quotes, backslashes, braces, emoji."""
    batch_size(8)
    statement = (
        "SELECT $1::text AS said, $2::timestamptz AS at, $3::uuid AS sid, n"
        " FROM unnest($4::bigint[]) WITH ORDINALITY AS x(n, i) ORDER BY i DESC"
    )
    shanghai = timezone(timedelta(hours=8))
    asks = [
        ("引号'\"\\ }{ ] 😀", datetime(2026, 1, 2, 3, 4, 5, 678901, shanghai), uuid4(), [2**62, 1]),
        ("", datetime(1999, 12, 31, 23, 59, 59, 1, UTC), uuid4(), []),
        (None, None, None, [3, -(2**63), 5]),
        ("\n\t\\u0000", datetime.now(UTC), uuid4(), [7]),
    ]
    await sql.fetch_batched(statement, *asks[0])
    rows = await asyncio.gather(*(sql.fetch_batched(statement, *ask) for ask in asks))
    for (said, at, sid, numbers), got in zip(asks, rows, strict=True):
        assert [r["n"] for r in got] == numbers[::-1]
        assert [r["_row"] for r in got] == list(range(1, len(numbers) + 1))
        assert all((r["said"], r["at"], r["sid"]) == (said, at, sid) for r in got)
    assert sent.batches == [4]


async def test_one_requests_error_is_its_own(runtime: Runtime, sent: Sent) -> None:
    """A request whose read fails (here: a division by zero; a text PostgreSQL refuses) fails
    alone: the batch's statement fails, and each of its requests is read again by itself."""
    batch_size(8)
    statement = "SELECT 100 / $1::int AS q, $2::text AS said"
    await sql.fetch_batched(statement, 1, "")
    answers = await asyncio.gather(
        sql.fetch_batched(statement, 4, "甲"),
        sql.fetch_batched(statement, 0, "乙"),
        sql.fetch_batched(statement, 5, "a\x00b"),
        sql.fetch_batched(statement, 10, "丁"),
        return_exceptions=True,
    )
    assert [dict(r) for r in answers[0]] == [{"_row": 1, "q": 25, "said": "甲"}]  # type: ignore[union-attr]
    assert isinstance(answers[1], OperationalError)
    assert isinstance(answers[2], Exception)
    assert [dict(r) for r in answers[3]] == [{"_row": 1, "q": 10, "said": "丁"}]  # type: ignore[union-attr]
    assert sent.batches == [4] and sent.alone == 5
    assert connections_in_use() == 0


async def test_values_json_would_bend_are_read_alone(runtime: Runtime, sent: Sent) -> None:
    """A naive datetime or a float is not sent in a batch (JSON would change its meaning or
    its digits): such a batch's requests are read alone, each exactly."""
    batch_size(8)
    statement = "SELECT $1::float8 AS x"
    await sql.fetch_batched(statement, 0.5)
    rows = await asyncio.gather(*(sql.fetch_batched(statement, 0.1 * i) for i in range(3)))
    assert [r[0]["x"] for r in rows] == [0.1 * i for i in range(3)]
    assert sent.batches == [] and sent.alone == 4


async def test_a_request_cancelled_while_waiting_leaves_the_batch_to_the_others(
    runtime: Runtime, sent: Sent
) -> None:
    batch_size(8)
    statement = "SELECT $1::int AS n, pg_sleep(0.1) IS NOT NULL AS slept"
    await sql.fetch_batched(statement, 0)
    tasks = [asyncio.ensure_future(sql.fetch_batched(statement, i)) for i in range(4)]
    await asyncio.sleep(0)  # every read has asked; the batch is sent at the end of this turn
    tasks[1].cancel()
    await asyncio.sleep(0.02)
    tasks[2].cancel()  # while the batch is being read
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(done[1], asyncio.CancelledError)
    assert isinstance(done[2], asyncio.CancelledError)
    assert [done[0][0]["n"], done[3][0]["n"]] == [0, 3]  # type: ignore[index]
    assert sent.batches == [3]
    await asyncio.sleep(0.2)
    assert connections_in_use() == 0


async def test_reads_in_a_transaction_are_its_own(runtime: Runtime, sent: Sent) -> None:
    """In a transaction a read runs on its connection and sees its writes, never batched."""
    member = await make_user()
    statement = "SELECT bio FROM users WHERE id = $1"
    async with in_transaction():
        await User.filter(id=member.id).update(bio="未提交")
        rows = await asyncio.gather(*(sql.fetch_batched(statement, member.id) for _ in range(3)))
        assert [[r["bio"] for r in rs] for rs in rows] == [["未提交"]] * 3
    assert sent.batches == [] and sent.alone == 0


async def test_batching_off_reads_each_alone(runtime: Runtime, sent: Sent) -> None:
    batch_size(1)
    tokens, _ = await _community(runtime)
    async with configured_api(runtime, rate_limits_enabled=False) as (api, _):
        variables = {"kind": "LATEST", "first": 5}
        alone = [await _answer(api, t, variables) for t in tokens]
        together = await asyncio.gather(*(_answer(api, t, variables) for t in tokens))
    assert together == alone and sent.batches == []


def test_the_batch_statement_reads_parameters_by_name() -> None:
    """$1..$n of the statement become the batch row's columns; $10 is not $1 followed by 0."""
    text = read_batches.together("SELECT $1, $10, $2", ("bigint",) * 10)
    assert "_batch.p1, _batch.p10, _batch.p2" in text
    assert "p10 bigint" in text
    assert operation("Feed")  # the contract's Feed is what the batches serve


def test_rows_out_of_their_place_fail_the_batch() -> None:
    """A batch whose rows came back out of order (a future statement whose plan reorders
    them) is refused, and its requests are read alone, rather than split wrongly."""
    rows = [{"_row": 1}, {"_row": 2}, {"_row": None}, {"_row": 1}]
    assert [len(r) for r in read_batches.split(rows, 3)] == [2, 0, 1]  # type: ignore[arg-type]
    for wrong in ([{"_row": 2}, {"_row": 1}], [{"_row": 1}, {"_row": 3}]):
        with pytest.raises(RuntimeError):
            read_batches.split(wrong, 1)  # type: ignore[arg-type]


async def test_a_statement_read_often_keeps_its_types_while_others_come_and_go(
    runtime: Runtime, sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learned types are forgotten least recently read first: a member cycling through
    page shapes (sizes, cursors) cannot push the hot statement out, so it stays batched."""
    monkeypatch.setattr(read_batches, "TYPES_KEPT", 3)
    batch_size(8)
    hot_statement = "SELECT $1::bigint AS n"
    learned: list[str] = []
    learn = read_batches.ReadBatches._learn_types

    async def counted(batches: Any, query: str) -> None:
        learned.append(query)
        await learn(batches, query)

    monkeypatch.setattr(read_batches.ReadBatches, "_learn_types", counted)
    await sql.fetch_batched(hot_statement, 0)
    for size in range(1, 7):
        await sql.fetch_batched(f"SELECT $1::bigint AS n LIMIT {size}", size)
        await sql.fetch_batched(hot_statement, size)
    rows = await asyncio.gather(*(sql.fetch_batched(hot_statement, i) for i in range(3)))
    assert [r[0]["n"] for r in rows] == [0, 1, 2]
    assert sent.batches == [3]
    assert learned.count(hot_statement) == 1
