"""A table locked by another connection, and what waits on it: a statement held back
until the block ends, and seen waiting in PostgreSQL (how many rankings, computations or
builds a burst of readers started)."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
