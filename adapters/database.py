"""Tortoise configuration, the pool's connections and the migration runner."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionContextPooled
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connections

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


async def fetch_settled_rows(
    client: BaseDBAsyncClient, query: str, values: Sequence[Any]
) -> list[asyncpg.Record] | None:
    """The rows of a read-only statement on a connection given back without a reset; None
    where that way does not apply (a transaction's client, a writing statement, a pool not
    yet made), for the caller to go Tortoise's way."""
    if (
        type(client) is not AsyncpgDBClient
        or (pool := client._pool) is None
        or not _only_reads(query)
    ):
        return None
    client.log.debug("%s: %s", query, values)  # what Tortoise logs (tests count queries)

    async def read(_: AsyncpgDBClient) -> list[asyncpg.Record]:
        async with pool.acquire() as connection:
            return await connection.fetch_settled(query, *values)

    # the errors Tortoise raises for this statement (OperationalError, IntegrityError...)
    return await client._translate_exceptions(read)  # type: ignore[return-value]


async def _enter_transaction(self: TransactionContextPooled) -> Any:
    """Tortoise's `TransactionContextPooled.__aenter__`, giving the connection back when
    BEGIN does not complete. Tortoise takes a pooled connection and then awaits BEGIN; a task
    cancelled there (a sibling field's error cancels the others: graphql-core's
    gather_with_cancel) left `__aenter__` by an exception, so `__aexit__` never ran and the
    connection was never released — a member could drain the pool with `{ tasks { progress }
    alertRules { windowMinutes } }` (tests/api/test_pool_leaks.py)."""
    await self.ensure_connection()
    pool = self.client._parent._pool
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
    (SettledConnection): objects, not JSON, so not in tortoise_config (makemigrations dumps
    that)."""
    config["connections"]["default"]["credentials"].update(
        connection_class=SettledConnection, reset=_reset
    )
    return config


async def init_db(database_url: str, *, pool_max: int = 20) -> None:
    """Connect Tortoise for this process; visible from every task (lifespan and requests)."""
    await Tortoise.init(
        config=_settled(tortoise_config(database_url, pool_max=pool_max)),
        _enable_global_fallback=True,
    )


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
