"""Attacks on the read lane (adapters/database.py, ReadLane): reads that keep some of the
pool's connections taken between statements must never cost a request its connection, its
rows, or the process its shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import random

from tortoise import connections
from tortoise.transactions import in_transaction

from adapters import sql
from adapters.database import ReadLane
from domain.models import User
from quanzi.bootstrap import Runtime
from tests.api.test_pool_leaks import _fill_the_lane, _lane, connections_in_use
from tests.factories import make_user


def _client():  # type: ignore[no-untyped-def]
    return connections.get("default")


def _consistent(lane: ReadLane) -> None:
    """What the lane counts is what it holds, and nobody is counted as waiting."""
    assert lane.wanting == 0
    assert lane.taken == len(lane._idle)
    assert lane.taken <= lane.size


async def test_closing_while_reads_arrive_does_not_hang_or_cut_connections(
    runtime: Runtime,
) -> None:
    """Shutting down while reads still arrive (a request finishing as the process stops)
    closes the pool at once: no read left holding one of its connections in a lane nobody
    will close, for the pool's close to wait 10 s on and then cut."""
    await _fill_the_lane()
    client = _client()
    pool = client._pool
    stop = False

    async def reads() -> None:
        while not stop:
            with contextlib.suppress(Exception):
                await sql.fetch_records("SELECT 1")
            await asyncio.sleep(0)

    readers = [asyncio.create_task(reads()) for _ in range(3)]
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    try:
        await client.close()
    finally:
        stop = True
        await asyncio.gather(*readers)
    assert asyncio.get_running_loop().time() - started < 2
    assert pool.get_size() == 0  # every connection closed, none waited for
    assert (await sql.fetch_records("SELECT 1 AS one"))[0]["one"] == 1


async def test_reads_cancelled_at_any_moment_never_see_anothers_rows(runtime: Runtime) -> None:
    """Reads abandoned at every moment of their statement (sibling fields failing) leave the
    lane's and the pool's connections whole: every read that completes gets its own rows,
    and afterwards nothing is taken, counted as waiting, or busy on the server."""
    await _fill_the_lane()
    rng = random.Random(7)

    async def read(n: int) -> None:
        rows = await sql.fetch_records(
            "SELECT $1::int AS n, pg_sleep($2::float8) IS NOT NULL AS slept", n, rng.random() / 100
        )
        assert [r["n"] for r in rows] == [n]

    for round_ in range(30):
        tasks = [asyncio.create_task(read(round_ * 100 + i)) for i in range(12)]
        await asyncio.sleep(rng.random() / 100)
        for task in tasks:
            if rng.random() < 0.5:
                task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    await asyncio.sleep(0.2)
    _consistent(_lane())
    assert connections_in_use() == 0
    for i in range(40):
        assert (await sql.fetch_records("SELECT $1::int AS n", i))[0]["n"] == i


async def test_transactions_cancelled_while_waiting_leave_wanting_at_zero(
    runtime: Runtime,
) -> None:
    """Transactions and queries abandoned while they wait for one of the pool's connections
    leave no one counted as waiting, so the lane goes on keeping connections for reads."""
    lane = await _fill_the_lane()
    pool_max = runtime.settings.db_pool_max
    member = await make_user()
    release = asyncio.Event()

    async def hold() -> None:
        async with in_transaction() as conn:
            await sql.execute("SELECT 1", conn=conn)
            await release.wait()

    async def update() -> None:
        await User.filter(id=member.id).update(bio="w")

    holders = [asyncio.create_task(hold()) for _ in range(pool_max)]
    await asyncio.sleep(0.3)
    waiters = [asyncio.create_task(hold()) for _ in range(3)] + [
        asyncio.create_task(update()) for _ in range(3)
    ]
    try:
        await asyncio.sleep(0.2)
        wanting = lane.wanting
        for task in waiters:
            task.cancel()
        for task in waiters:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        release.set()
        await asyncio.wait_for(asyncio.gather(*holders), 5)
    assert wanting == 6
    assert lane.wanting == 0
    await _fill_the_lane()
    _consistent(lane)
    assert connections_in_use() == 0


async def test_mixed_load_never_waits_forever(runtime: Runtime) -> None:
    """Many transactions, Tortoise queries and reads at once, some reads done by a
    transaction outside it while it holds its connection: all finish."""
    await _fill_the_lane()
    pool_max = runtime.settings.db_pool_max
    member = await make_user()
    client = _client()
    from adapters.database import fetch_settled_rows

    # fewer transactions reading outside themselves than the pool has connections: with
    # the pool alone, one connection is always left for the rest to go round
    outside = asyncio.Semaphore(pool_max - 1)

    async def transaction(i: int) -> None:
        if i % 2:
            async with in_transaction() as conn:
                await sql.execute("SELECT $1::int", i, conn=conn)
                await asyncio.sleep(0.01)
            return
        async with outside, in_transaction() as conn:
            await sql.execute("SELECT $1::int", i, conn=conn)
            rows = await fetch_settled_rows(client, "SELECT $1::int AS n", [i])
            assert rows is not None and rows[0]["n"] == i
            await asyncio.sleep(0.01)

    async def read(i: int) -> None:
        rows = await sql.fetch_records("SELECT $1::int AS n, pg_sleep(0.01)", i)
        assert rows[0]["n"] == i

    async def query(i: int) -> None:
        await User.filter(id=member.id).first()

    work = [(transaction, read, query)[i % 3](i) for i in range(pool_max * 6)]
    await asyncio.wait_for(asyncio.gather(*work), 30)
    await asyncio.sleep(0.1)
    _consistent(_lane())
    assert connections_in_use() == 0


async def test_a_close_cancelled_midway_leaves_no_connection_in_the_lane(
    runtime: Runtime,
) -> None:
    """A shutdown given a deadline (close cancelled while the lane gives its connections
    back) leaves none of the pool's connections held by a lane nobody can reach: the pool
    still has every connection to hand out, and closing it again does not wait on them."""
    lane = await _fill_the_lane()
    client = _client()
    pool = client._pool
    closing = asyncio.create_task(client.close())
    await asyncio.sleep(0)  # the lane has begun giving its connections back
    closing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await closing
    await asyncio.sleep(0.2)
    assert client.read_lane is None
    assert lane.taken == 0 and not lane._idle
    assert pool.get_size() - pool.get_idle_size() == 0  # nothing held by anyone
    started = asyncio.get_running_loop().time()
    await client.close()
    assert asyncio.get_running_loop().time() - started < 2
