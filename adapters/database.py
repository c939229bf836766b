"""Tortoise configuration and the migration runner."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise
from tortoise.backends.base.client import TransactionContextPooled
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
    # asyncpg's own reset runs when a pooled connection is released. It costs a round trip
    # (46 us of this process's CPU a query, a tenth of a feed page), but it also finishes the
    # protocol of a statement whose task was cancelled mid-flight (a GraphQL field abandoned
    # when a sibling field failed): without it, such a connection went back to the pool with
    # its statement half-done and its locks held. Tried without it twice; the second time
    # (issue 22) the suite hung in CI on a backend left in PARSE holding a lock that a TRUNCATE
    # waited for — the case tests/api/test_pool_leaks.py's cancellations during execution do
    # not reach.
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


async def init_db(database_url: str, *, pool_max: int = 20) -> None:
    """Connect Tortoise for this process; visible from every task (lifespan and requests)."""
    await Tortoise.init(
        config=tortoise_config(database_url, pool_max=pool_max), _enable_global_fallback=True
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
