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
from domain.models import User
from quanzi.bootstrap import Runtime
from tests.conftest import configured_api
from tests.factories import make_user, token_for

DRAIN = "{ tasks { progress } alertRules { windowMinutes } }"


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreter"])
async def test_cancelled_transactions_give_their_connections_back(
    runtime: Runtime, compiled: bool
) -> None:
    token = token_for(runtime, await make_user())
    pool = connections.get("default")._pool  # type: ignore[attr-defined]
    async with configured_api(runtime, rate_limits_enabled=False, compiled_execution=compiled) as (
        api,
        _,
    ):
        for _ in range(3 * runtime.settings.db_pool_max):
            answer = await asyncio.wait_for(api.execute(DRAIN, token=token), 10)
            assert answer["data"] is None
            assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        await asyncio.sleep(0.1)  # what was cancelled has unwound
        assert pool.get_size() - pool.get_idle_size() == 0
        viewer = await asyncio.wait_for(api.execute("{ viewer { id } }", token=token), 10)
        assert viewer["data"]["viewer"]["id"]


async def test_a_statement_cancelled_mid_flight_leaves_nothing_behind(runtime: Runtime) -> None:
    """A request abandoned while its statement runs (a sibling field failed, the client went
    away) gives back a connection that is idle, outside any transaction and holding no lock
    (what the release, asyncpg's reset included, must leave: adapters/database.py)."""
    member = await make_user()
    pool = connections.get("default")._pool  # type: ignore[attr-defined]

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
    assert pool.get_size() - pool.get_idle_size() == 0
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
    assert pool.get_size() - pool.get_idle_size() == 0
