"""Tortoise configuration, the pool's connections and the migration runner."""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import asyncpg
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.client import (
    BaseDBAsyncClient,
    PoolConnectionWrapper,
    TransactionContextPooled,
)
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connections

if TYPE_CHECKING:
    from adapters.read_batches import ReadBatches

MIGRATIONS_MODULE = "domain.migrations"


def tortoise_config(database_url: str, *, pool_max: int = 20) -> dict[str, Any]:
    """The Tortoise config for one PostgreSQL database (the only dialect Quanzi speaks)."""
    scheme = urlsplit(database_url).scheme
    if scheme not in {"postgres", "postgresql", "asyncpg"}:
        raise ValueError(f"DATABASE_URL must be a postgres:// URL, not {scheme}://")
    url = "postgres" + database_url[len(scheme) :]
    sep = "&" if "?" in url else "?"
    url += f"{sep}maxsize={pool_max}"
    connection = expand_db_url(url)
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": ["domain.models"],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


class SettledConnection(asyncpg.Connection):
    """A pooled connection that knows when its one use since it was taken left nothing
    behind (`fetch_settled`), so that giving it back needs no reset.

    asyncpg resets every connection given back to its pool: a round trip (46 us of this
    process's CPU a query, a tenth of a feed page on the machine of bench/README's run 8) that
    also finishes the protocol of a statement whose task was cancelled mid-flight (a GraphQL
    field abandoned when a sibling failed): without it, such a connection went back to the
    pool with its statement half-done and its locks held. Dropping the reset outright was
    tried twice; the second time (issue 22) CI hung on a backend left in PARSE holding a lock
    that a TRUNCATE waited for. So the reset is skipped only where that cannot be: a
    connection taken for one read-only statement by `fetch_settled_rows`, which returned
    its rows — every message answered, no transaction, no session state. Everything else
    (Tortoise's queries, transactions, a read cancelled or failed) is reset as before."""

    _settled = False

    async def fetch_settled(self, query: str, *args: Any) -> list[asyncpg.Record]:
        # Cleared first: a connection of the read lane (below) runs many reads between two
        # releases, and one that fails or is cancelled must be reset when it goes back.
        self._settled = False
        rows = await self.fetch(query, *args)
        self._settled = True
        return rows


async def _reset(connection: SettledConnection) -> None:
    """The pool's reset (after asyncpg's own local one, which rolls back an open transaction)."""
    if connection._settled:
        connection._settled = False
        return
    query = connection.get_reset_query()
    if query:
        await connection.execute(query)


# A statement that only reads: a SELECT, or a parenthesised one (a UNION of SELECTs), that
# neither takes a session's advisory lock nor sets a session's setting (what a reset would
# undo; pg_advisory_xact_lock ends with its transaction).
_READ_ONLY = re.compile(r"\s*(SELECT\b|\(\s*SELECT\b)", re.IGNORECASE)
_SESSION_STATE = re.compile(
    r"set_config|pg_(try_)?advisory_lock(_shared)?\s*\(|\bLISTEN\b", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def _only_reads(query: str) -> bool:
    """Whether the statement only reads (remembered by its text: the hot reads are a few
    statements, scanning a feed page's 3 KB of SQL took a twentieth of the page)."""
    return bool(_READ_ONLY.match(query)) and not _SESSION_STATE.search(query)


async def fetch_rows(
    client: BaseDBAsyncClient, query: str, values: Sequence[Any]
) -> list[asyncpg.Record]:
    """The rows of a statement on `client`: a read-only one on a connection given back
    without a reset where it may be (fetch_settled_rows), anything else Tortoise's way."""
    rows = await fetch_settled_rows(client, query, values)
    if rows is None:
        _, taken = await client.execute_query(query, list(values))
        return cast(list[asyncpg.Record], taken)  # asyncpg's records, a list
    return rows


async def fetch_settled_rows(
    client: BaseDBAsyncClient, query: str, values: Sequence[Any]
) -> list[asyncpg.Record] | None:
    """The rows of a read-only statement on a connection given back without a reset (one of
    the read lane's, or the pool's); None where that way does not apply (a transaction's
    client, a writing statement, a pool not yet made), for the caller to go Tortoise's way."""
    if (
        type(client) is not PostgresClient
        or (pool := client._pool) is None
        or pool is client.closing_pool
        or not _only_reads(query)
    ):
        return None
    client.log.debug("%s: %s", query, values)  # what Tortoise logs (tests count queries)
    lane = client.read_lane
    if lane is None or lane.pool is not pool:
        lane = client.read_lane = ReadLane(pool, max(1, pool.get_max_size() // 2))

    async def read(_: PostgresClient) -> list[asyncpg.Record]:
        rows = await lane.fetch(query, values)
        if rows is not None:
            return rows
        async with taking(client):
            connection = await pool.acquire()
        try:
            return await connection.fetch_settled(query, *values)
        finally:
            await pool.release(connection)

    # the errors Tortoise raises for this statement (OperationalError, IntegrityError...)
    return await client._translate_exceptions(read)  # type: ignore[return-value]


class ReadLane:
    """Pooled connections kept out of the pool between single read-only statements (issue 22).

    asyncpg's pool costs, per acquire and release, about as much CPU as a short statement
    itself: a proxy made, a task to shield the release, the holder's inactivity timer
    cancelled and armed again. Measured on `SELECT 1`: 59 us through the pool, 32 us on a
    connection held. A Feed page reads twice (the sign-in and the page), so the read lane
    keeps up to `size` of the pool's connections taken and hands them out itself, from a
    list: a read that finds one idle runs on it and puts it back, every message of the
    statement answered (SettledConnection), nothing to reset.

    It gives a connection back to the pool (whose release waits out a cancellation, resets
    the connection, or closes a broken one) whenever that is what the pool would do:

    - the statement failed or was cancelled (a sibling field's error, a client gone);
    - the connection was closed under it (the server restarted);
    - it has served `USES_MAX` statements (the pool's own `max_queries` then recycles it);
    - the pool has fewer connections left to hand out than others are taking, after a read
      or when anything else takes one of the pool's (`make_room`: Tortoise's queries,
      transactions), so that nothing waits for a connection while the lane keeps one idle;
    - the client closes (PostgresClient._close: the pool's close waits for every
      connection taken).

    A read that finds no idle connection here takes the pool's way (one more is taken for
    the lane while fewer than `size` are and the pool has more than one to spare). Reads in
    a transaction never come here: they run on the transaction's connection
    (fetch_settled_rows)."""

    USES_MAX = 10_000

    def __init__(self, pool: asyncpg.Pool, size: int) -> None:
        self.pool = pool
        self.size = size
        self.taken = 0  # connections of the pool the lane holds, idle or reading
        # (the pool's connection proxy, uses), the longest idle first: every one is used in
        # turn, so one the server closed is found (and given back) on its next turn
        self._idle: deque[tuple[Any, int]] = deque()
        self._closed = False
        self.wanting = 0  # connections being taken from the pool by others (`taking`)

    @property
    def idle(self) -> int:
        """Idle connections the lane holds that are still open."""
        return sum(_alive(connection) for connection, _ in self._idle)

    async def fetch(self, query: str, values: Sequence[Any]) -> list[asyncpg.Record] | None:
        """The rows, read on a connection of the lane; None when none may be had at once."""
        if self._idle:
            connection, uses = self._idle.popleft()
        elif self.taken < self.size and not self._closed and self._free() > self.wanting + 1:
            self.taken += 1
            try:
                connection, uses = await self.pool.acquire(), 0
            except BaseException:
                self.taken -= 1
                raise
        else:
            return None
        if not _alive(connection):
            await self._give_back(connection)
            return None
        try:
            rows: list[asyncpg.Record] = await connection.fetch_settled(query, *values)
        except BaseException:
            await self._give_back(connection)
            raise
        uses += 1
        # (while nothing is being taken, the pool need not be counted: whatever takes one
        # next makes room first)
        if self._closed or uses >= self.USES_MAX or (self.wanting and self._free() <= self.wanting):
            await self._give_back(connection)
        else:
            self._idle.append((connection, uses))
        return rows

    async def make_room(self) -> None:
        """Idle connections back to the pool while it has fewer to hand out than are being
        taken from it (`wanting`, counted by `taking`)."""
        while self._idle and self._free() < self.wanting:
            connection, _ = self._idle.pop()
            await self._give_back(connection)

    def _free(self) -> int:
        """How many connections the pool could hand out at once (idle, or not yet opened)."""
        pool = self.pool
        return int(pool.get_max_size() - pool.get_size() + pool.get_idle_size())

    async def _give_back(self, connection: Any) -> None:
        self.taken -= 1
        await self.pool.release(connection)  # shielded by asyncpg

    async def close(self) -> None:
        """Every idle connection back to the pool; one still reading goes back when done."""
        self._closed = True
        idle, self._idle = self._idle, deque()
        self.taken -= len(idle)
        # every release started at once and shielded as a whole: a close cancelled midway
        # (a shutdown's deadline) must not leave the rest taken by a lane nobody can reach
        releases = asyncio.gather(
            *(self.pool.release(connection) for connection, _ in idle), return_exceptions=True
        )  # a broken one's error ignored: the pool's release has closed it
        await asyncio.shield(releases)


def _alive(connection: Any) -> bool:
    try:
        return not connection.is_closed()
    except asyncpg.InterfaceError:  # the pool took it back itself: its connection was lost
        return False


class PostgresClient(AsyncpgDBClient):
    """Tortoise's asyncpg client, with a read lane (ReadLane) beside its pool."""

    read_lane: ReadLane | None = None
    # the reads sent together (adapters/read_batches.py), at most this many in one statement
    read_batches: ReadBatches | None = None
    read_batch_size = 4
    # The pool being closed: no read lane is made on it. One made by a read arriving
    # meanwhile held its connections idle, and the pool's close waited for them (seconds,
    # up to its 10 s, before cutting them).
    closing_pool: Any = None

    def acquire_connection(self) -> Any:
        return _MakingRoom(self, self._pool_init_lock)

    async def _close(self) -> None:
        lane, self.read_lane = self.read_lane, None
        self.read_batches = None
        self.closing_pool = self._pool
        try:
            if lane is not None:
                await lane.close()
            await super()._close()
        finally:
            self.closing_pool = None


class _MakingRoom(PoolConnectionWrapper[Any]):
    """Tortoise's way to a pooled connection, the read lane making room first."""

    __slots__ = ()

    async def __aenter__(self) -> Any:
        async with taking(self.client):
            return await super().__aenter__()


@asynccontextmanager
async def taking(client: Any) -> AsyncIterator[None]:
    """Around taking a connection of the client's pool other than for the read lane: the
    lane gives idle ones back while the pool has fewer to hand out than are being taken."""
    lane: ReadLane | None = getattr(client, "read_lane", None)
    if lane is None:
        yield
        return
    lane.wanting += 1
    try:
        await lane.make_room()
        yield
    finally:
        lane.wanting -= 1


# Tortoise finds a database's client class in its engine's module (`client_class`): the
# runtime's config names this module (_settled).
client_class = PostgresClient


async def _enter_transaction(self: TransactionContextPooled) -> Any:
    """Tortoise's `TransactionContextPooled.__aenter__`, giving the connection back when
    BEGIN does not complete. Tortoise takes a pooled connection and then awaits BEGIN; a task
    cancelled there (a sibling field's error cancels the others: graphql-core's
    gather_with_cancel) left `__aenter__` by an exception, so `__aexit__` never ran and the
    connection was never released — a member could drain the pool with `{ tasks { progress }
    alertRules { windowMinutes } }` (tests/api/test_pool_leaks.py)."""
    await self.ensure_connection()
    pool = self.client._parent._pool
    async with taking(self.client._parent):
        self.client._connection = await pool.acquire()
    self.token = get_connections().set(self.connection_name, self.client)
    try:
        await self.client.begin()
    except BaseException:
        get_connections().reset(self.token)
        await pool.release(self.client._connection)  # shielded by asyncpg
        raise
    return self.client


TransactionContextPooled.__aenter__ = _enter_transaction  # type: ignore[method-assign]


def _settled(config: dict[str, Any]) -> dict[str, Any]:
    """The config with the pool's connections given back without a reset where they may be
    (SettledConnection) and the read lane beside the pool (PostgresClient): objects, not
    JSON, so not in tortoise_config (makemigrations dumps that)."""
    connection = config["connections"]["default"]
    connection["engine"] = __name__  # PostgresClient, with its read lane
    connection["credentials"].update(connection_class=SettledConnection, reset=_reset)
    return config


async def init_db(database_url: str, *, pool_max: int = 20, read_batch_size: int = 4) -> None:
    """Connect Tortoise for this process; visible from every task (lifespan and requests)."""
    await Tortoise.init(
        config=_settled(tortoise_config(database_url, pool_max=pool_max)),
        _enable_global_fallback=True,
    )
    client = Tortoise.get_connection("default")
    if isinstance(client, PostgresClient):
        client.read_batch_size = read_batch_size


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str, *, quiet: bool = False) -> list[str]:
    """Apply every pending migration; return the names applied."""
    from tortoise.migrations.api import migrate as run_migrations

    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")
            if not quiet:
                print(f"applied {app_label}.{name}")

    await run_migrations(config=tortoise_config(database_url, pool_max=2), progress=progress)
    await Tortoise.close_connections()
    return applied
