"""A table or a row locked by another connection, and what waits on it: a statement held
back until the block ends, and seen waiting in PostgreSQL (how many rankings, computations or
builds a burst of readers started; which rows a write takes first)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

import asyncpg

from quanzi.bootstrap import Runtime


@asynccontextmanager
async def table_locked(runtime: Runtime, table: str) -> AsyncIterator[asyncpg.Connection]:
    """`table` locked (ACCESS EXCLUSIVE) by a connection of its own until the block ends."""
    conn = await asyncpg.connect(runtime.settings.database_url)
    try:
        async with conn.transaction():
            await conn.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
            yield conn
    finally:
        await conn.close()


async def waiting(conn: asyncpg.Connection, statement_start: str) -> int:
    """How many statements beginning with `statement_start` wait on a lock now (PostgreSQL
    shows a statement's first 1 KB: track_activity_query_size)."""
    # pg_stat_activity is read once per transaction unless its snapshot is cleared
    await conn.execute("SELECT pg_stat_clear_snapshot()")
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND starts_with(query, $1)",
            statement_start,
        )
    )


@asynccontextmanager
async def row_held(dsn: str, table: str, row_id: int) -> AsyncIterator[asyncpg.Connection]:
    """A row of `table` locked (FOR NO KEY UPDATE, as writers lock it) by a connection of its
    own until the block ends."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute(f'SELECT 1 FROM "{table}" WHERE id = $1 FOR NO KEY UPDATE', row_id)
            yield conn
    finally:
        await conn.close()


async def until_waiting(conn: asyncpg.Connection, statements: int = 1) -> None:
    """Until as many statements of this database wait on a lock (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            await conn.execute("SELECT pg_stat_clear_snapshot()")
            found = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if found >= statements:
                return
            await asyncio.sleep(0.02)


async def lockable(dsn: str, table: str, row_id: int) -> bool:
    """Whether a row of `table` can be locked now (no other transaction holds it)."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute(
                f'SELECT 1 FROM "{table}" WHERE id = $1 FOR NO KEY UPDATE NOWAIT', row_id
            )
        return True
    except asyncpg.exceptions.LockNotAvailableError:
        return False
    finally:
        await conn.close()


async def waits_first_for(
    dsn: str,
    write: Awaitable[object],
    held: tuple[str, int],
    free: list[tuple[str, int]],
) -> object:
    """Run `write` while another transaction holds the row `held`: it must wait for that row
    holding none of the rows `free` (it takes `held` first, in the lock order), then finish
    once the row is let go. Returns what `write` returned."""
    async with row_held(dsn, *held) as holder:
        writing = asyncio.ensure_future(write)
        try:
            await until_waiting(holder)
            taken = [row for row in free if not await lockable(dsn, *row)]
            assert not taken, f"held while waiting for {held}: {taken}"
        except BaseException:
            writing.cancel()
            raise
    return await asyncio.wait_for(writing, 10)


@asynccontextmanager
async def held(dsn: str, statement: str, *args: object) -> AsyncIterator[asyncpg.Connection]:
    """`statement` (one that locks or writes rows) run by a connection of its own, in a
    transaction kept open until the block ends."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute(statement, *args)
            yield conn
    finally:
        await conn.close()


async def would_wait(dsn: str, statement: str, *args: object) -> bool:
    """Whether `statement` waits on a lock now (another transaction holds a row it locks, or
    has written a key it writes): run under a short lock timeout, and rolled back."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SET lock_timeout = '200ms'")
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute(statement, *args)
        except asyncpg.exceptions.LockNotAvailableError:
            return True
        finally:
            await tx.rollback()
        return False
    finally:
        await conn.close()
