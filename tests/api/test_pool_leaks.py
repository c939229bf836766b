"""A field's error never costs a database connection.

When a non-null field fails, graphql-core cancels its siblings still running. A sibling
cancelled while Tortoise was opening its transaction (BEGIN sent, not yet answered) kept its
pooled connection for good: `{ tasks { progress } alertRules { windowMinutes } }`, sent by a
member (the task centre writes in a transaction; the alert rules refuse a member), drained
the pool in as many requests as it had connections, and then every request waited forever.
Found by hypothesis-generated documents (adapters/database.py has the fix)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from adapters import sql
from adapters.database import ReadLane
from domain.models import User
from quanzi.bootstrap import Runtime
from tests.conftest import configured_api
from tests.factories import make_user, token_for


def connections_in_use() -> int:
    """The pool's connections taken and not idle in the read lane (nothing may leak)."""
    client = connections.get("default")
    pool = getattr(client, "_pool", None)
    if pool is None:
        return 0
    lane = getattr(client, "read_lane", None)
    idle = lane.idle if lane is not None and lane.pool is pool else 0
    return int(pool.get_size() - pool.get_idle_size() - idle)


DRAIN = "{ tasks { progress } alertRules { windowMinutes } }"


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreter"])
async def test_cancelled_transactions_give_their_connections_back(
    runtime: Runtime, compiled: bool
) -> None:
    token = token_for(runtime, await make_user())
    async with configured_api(runtime, rate_limits_enabled=False, compiled_execution=compiled) as (
        api,
        _,
    ):
        for _ in range(3 * runtime.settings.db_pool_max):
            answer = await asyncio.wait_for(api.execute(DRAIN, token=token), 10)
            assert answer["data"] is None
            assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        await asyncio.sleep(0.1)  # what was cancelled has unwound
        assert connections_in_use() == 0
        viewer = await asyncio.wait_for(api.execute("{ viewer { id } }", token=token), 10)
        assert viewer["data"]["viewer"]["id"]


async def test_a_statement_cancelled_mid_flight_leaves_nothing_behind(runtime: Runtime) -> None:
    """A request abandoned while its statement runs (a sibling field failed, the client went
    away) gives back a connection that is idle, outside any transaction and holding no lock
    (what the release, asyncpg's reset included, must leave: adapters/database.py)."""
    member = await make_user()

    async def in_a_transaction() -> None:
        async with in_transaction() as conn:
            await sql.execute("UPDATE users SET bio = 'a' WHERE id = $1", member.id, conn=conn)
            await sql.fetch_records("SELECT pg_sleep(5)", conn=conn)

    async def alone() -> None:  # a row lock held while the statement sleeps
        await sql.execute(
            "UPDATE users SET bio = 'b' WHERE id = $1 AND pg_sleep(5) IS NOT NULL", member.id
        )

    async def reading() -> None:  # a read given back without a reset when it completes
        await sql.fetch_records(
            "SELECT id FROM users WHERE id = $1 AND pg_sleep(5) IS NOT NULL FOR UPDATE", member.id
        )

    for work in (in_a_transaction, alone, reading) * 3:
        task = asyncio.create_task(work())
        await asyncio.sleep(0.2)  # the statement is running
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await asyncio.sleep(0.1)
    assert connections_in_use() == 0
    # the row is free at once, and no pooled session is busy or inside a transaction
    await asyncio.wait_for(User.filter(id=member.id).update(bio="c"), 3)
    busy = await sql.fetch_records(
        "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'"
    )
    assert [row["state"] for row in busy] == []
    assert (await User.get(id=member.id)).bio == "c"


async def test_reads_in_a_transaction_stay_in_it_and_reads_alone_leave_nothing(
    runtime: Runtime,
) -> None:
    """Reads outside a transaction are given back without a reset (adapters/database.py's
    SettledConnection); inside one they run on the transaction's connection and see its
    writes; and a read that fails leaves the pool as whole as one that succeeds."""
    member = await make_user()
    pool = connections.get("default")._pool  # type: ignore[attr-defined]
    async with in_transaction() as conn:
        await sql.execute("UPDATE users SET bio = 'mine' WHERE id = $1", member.id, conn=conn)
        seen = await sql.fetch_records("SELECT bio FROM users WHERE id = $1", member.id)
        assert [r["bio"] for r in seen] == ["mine"]  # the transaction's own connection
    with pytest.raises(OperationalError):
        await sql.fetch_records("SELECT no_such_column FROM users")
    for _ in range(pool.get_max_size() * 2):  # every pooled connection, settled or reset
        rows = await sql.fetch_records("SELECT bio FROM users WHERE id = $1", member.id)
        assert [r["bio"] for r in rows] == ["mine"]
    assert connections_in_use() == 0


def _lane() -> ReadLane:
    lane = connections.get("default").read_lane  # type: ignore[attr-defined]
    assert isinstance(lane, ReadLane)
    return lane


async def _fill_the_lane() -> ReadLane:
    """Concurrent reads until the read lane holds as many idle connections as it may."""
    for _ in range(2):  # the first may make the pool, Tortoise's way
        await sql.fetch_records("SELECT 1")
    lane = _lane()
    for _ in range(5):
        await asyncio.gather(
            *(sql.fetch_records("SELECT pg_sleep(0.05)") for _ in range(lane.size + 2))
        )
        if lane.idle == lane.size:
            break
    assert lane.idle == lane.size
    return lane


async def test_reads_reuse_the_lanes_connections(runtime: Runtime) -> None:
    """Reads one after another run on the read lane's connection, never a new one, and the
    backend serving them is the same (adapters/database.py, ReadLane)."""
    await sql.fetch_records("SELECT 1")
    backends = {
        (await sql.fetch_records("SELECT pg_backend_pid() AS pid"))[0]["pid"] for _ in range(20)
    }
    assert len(backends) == 1
    assert _lane().taken == 1
    assert connections_in_use() == 0


async def test_transactions_never_wait_behind_the_lanes_idle_connections(
    runtime: Runtime,
) -> None:
    """As many transactions at once as the pool has connections, each holding its own until
    all have one: none waits for ever behind connections the read lane keeps idle."""
    lane = await _fill_the_lane()
    pool_max = runtime.settings.db_pool_max
    member = await make_user()
    started = 0
    everyone = asyncio.Event()

    async def hold() -> None:
        nonlocal started
        async with in_transaction() as conn:
            await sql.execute("SELECT 1", conn=conn)
            started += 1
            if started == pool_max:
                everyone.set()
            await everyone.wait()

    async def update() -> None:  # Tortoise's own way to a connection, outside a transaction
        await User.filter(id=member.id).update(bio="lane")

    await asyncio.wait_for(asyncio.gather(*(hold() for _ in range(pool_max))), 10)
    await _fill_the_lane()
    await asyncio.wait_for(asyncio.gather(*(update() for _ in range(pool_max))), 10)
    started = 0
    everyone.clear()
    await asyncio.wait_for(asyncio.gather(*(hold() for _ in range(pool_max))), 10)
    assert lane.taken <= lane.size
    assert connections_in_use() == 0


async def test_a_read_cancelled_on_the_lane_leaves_nothing_behind(runtime: Runtime) -> None:
    """A read cancelled mid-statement on the lane's connection (a sibling field's error)
    gives it back to the pool, which waits the cancellation out and resets it: no row stays
    locked, and the next reads run."""
    member = await make_user()
    lane = await _fill_the_lane()
    task = asyncio.create_task(
        sql.fetch_records(
            "SELECT id FROM users WHERE id = $1 AND pg_sleep(5) IS NOT NULL FOR UPDATE", member.id
        )
    )
    await asyncio.sleep(0.2)
    assert lane.idle == lane.size - 1  # the read runs on one of the lane's
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await asyncio.wait_for(User.filter(id=member.id).update(bio="free"), 3)
    assert lane.taken == lane.size - 1
    assert (await sql.fetch_records("SELECT bio FROM users WHERE id = $1", member.id))[0][
        "bio"
    ] == "free"
    await asyncio.sleep(0.1)
    assert connections_in_use() == 0


async def test_a_read_on_a_connection_the_server_closed_takes_another(runtime: Runtime) -> None:
    """The server ended the lane's idle connections (a restart, an administrator): the next
    reads do not fail on them."""
    lane = await _fill_the_lane()
    await sql.fetch_records(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
        "current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    await asyncio.sleep(0.2)  # the ends reach the client
    for _ in range(lane.size + 2):
        assert (await sql.fetch_records("SELECT 1 AS one"))[0]["one"] == 1
    await asyncio.sleep(0.1)
    assert connections_in_use() == 0


async def test_closing_the_database_gives_the_lanes_connections_back(runtime: Runtime) -> None:
    """Closing Tortoise's connections does not wait for the lane (the pool's close waits for
    every connection taken: 10 s, then they are cut)."""
    lane = await _fill_the_lane()
    client = connections.get("default")
    started = asyncio.get_running_loop().time()
    await client.close()
    assert asyncio.get_running_loop().time() - started < 2
    assert lane.taken == 0 and client.read_lane is None  # type: ignore[attr-defined]
    assert (await sql.fetch_records("SELECT 1 AS one"))[0]["one"] == 1  # a new pool
