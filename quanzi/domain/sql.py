"""Raw SQL for what the ORM cannot say: INSERT ... ON CONFLICT with RETURNING."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient


def connection(conn: BaseDBAsyncClient | None = None) -> BaseDBAsyncClient:
    return conn or Tortoise.get_connection("default")


async def fetch(sql: str, *values: Any, conn: BaseDBAsyncClient | None = None) -> list[dict]:
    """Rows of a SELECT, or of an INSERT/UPDATE/DELETE ... RETURNING."""
    return await connection(conn).execute_query_dict(sql, list(values))


async def execute(sql: str, *values: Any, conn: BaseDBAsyncClient | None = None) -> int:
    """Rows changed by an UPDATE or DELETE. (Tortoise misreads INSERT's status line: count
    inserts with `len(await fetch("INSERT ... RETURNING id"))` instead.)"""
    if sql.lstrip().upper().startswith("INSERT"):
        raise ValueError("count inserts with fetch(... RETURNING id)")
    count, _ = await connection(conn).execute_query(sql, list(values))
    return int(count)
