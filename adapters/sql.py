"""Raw SQL for what the ORM cannot say (INSERT ... ON CONFLICT with RETURNING) and for the
hot read paths, where the query builder costs more than the query."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from asyncpg.exceptions import DeadlockDetectedError, TransactionRollbackError
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import DatetimeField, Field
from tortoise.fields.data import CharEnumFieldInstance, IntEnumFieldInstance
from tortoise.models import Model
from tortoise.timezone import get_default_timezone

from adapters import read_batches
from adapters.database import fetch_rows

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def connection(conn: BaseDBAsyncClient | None = None) -> BaseDBAsyncClient:
    return conn or Tortoise.get_connection("default")


async def fetch(sql: str, *values: Any, conn: BaseDBAsyncClient | None = None) -> list[dict]:
    """Rows of a SELECT, or of an INSERT/UPDATE/DELETE ... RETURNING."""
    return await connection(conn).execute_query_dict(sql, list(values))


async def fetch_records(
    sql: str, *values: Any, conn: BaseDBAsyncClient | None = None
) -> Sequence[Mapping[str, Any]]:
    """Rows of a SELECT as asyncpg records (read-only mappings): no copy into dicts. Outside
    a transaction, on a connection given back to the pool without a reset
    (adapters.database.SettledConnection)."""
    if conn is not None:
        _, rows = await conn.execute_query(sql, list(values))
        return rows
    return await fetch_rows(connection(), sql, values)


async def fetch_batched(sql: str, *values: Any) -> Sequence[Mapping[str, Any]]:
    """fetch_records for a read that many requests make at once (a feed page's): sent in one
    statement with the others that ask for it in the same turn of the event loop. Each row
    carries its place among the rows (`_row`, from 1) beside the statement's columns, whether
    it was read in a batch or alone (adapters/read_batches.py)."""
    client = connection()
    rows = await read_batches.fetch_batched(client, sql, values)
    if rows is None:  # in a transaction: on its connection
        rows = await fetch_rows(client, read_batches.alone(sql), values)
    return rows


async def execute(sql: str, *values: Any, conn: BaseDBAsyncClient | None = None) -> int:
    """Rows changed by an UPDATE or DELETE. (Tortoise misreads INSERT's status line: count
    inserts with `len(await fetch("INSERT ... RETURNING id"))` instead; statements starting
    with WITH go through fetch in Tortoise and report no count either.)"""
    if sql.lstrip().upper().startswith("INSERT") or sql.lstrip().upper().startswith("WITH"):
        raise ValueError("count inserts with fetch(... RETURNING id)")
    count, _ = await connection(conn).execute_query(sql, list(values))
    return int(count)


# What PostgreSQL raises when it rolls a transaction back whole to end a conflict with
# another: a deadlock's victim (40P01), a serialization failure (40001).
RolledBack = TransactionRollbackError

# A statement PostgreSQL rolls back as a deadlock's victim is run this many times in all.
DEADLOCK_ATTEMPTS = 3


async def again_on_deadlock(run: Callable[[], Awaitable[T]]) -> T:
    """`run()`, an idempotent statement or transaction (a counter recomputed from its rows),
    run again when PostgreSQL chose it as a deadlock's victim: it was rolled back whole, so
    running it again does it once. Two statements or transactions locking the
    same rows in different orders deadlock; one of them must be the one that gives way."""
    for _ in range(DEADLOCK_ATTEMPTS - 1):
        try:
            return await run()
        except DeadlockDetectedError:
            pass
    return await run()  # the last attempt's deadlock is the caller's


# Table and column names below come from the code, never from input.


async def insert_unique(
    table: str, row: dict[str, Any], *, conn: BaseDBAsyncClient | None = None
) -> bool:
    """Insert `row` (with created_at now) unless its unique key exists; True when inserted."""
    columns = [*row, "created_at"]
    placeholders = [f"${i}" for i in range(1, len(row) + 1)] + ["now()"]
    inserted = await fetch(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(placeholders)}) "
        "ON CONFLICT DO NOTHING RETURNING id",
        *row.values(),
        conn=conn,
    )
    return bool(inserted)


async def delete_where(
    table: str, match: dict[str, Any], *, conn: BaseDBAsyncClient | None = None
) -> int:
    """Delete the rows matching every column of `match`; return how many went."""
    where = " AND ".join(f"{column} = ${i}" for i, column in enumerate(match, start=1))
    return await execute(f"DELETE FROM {table} WHERE {where}", *match.values(), conn=conn)


async def bump(
    table: str,
    counter: str,
    row_id: int | list[int],
    by: int,
    *,
    conn: BaseDBAsyncClient | None = None,
) -> None:
    """Add `by` to a counter of one row (or of several, in a transaction: bump_where)."""
    if isinstance(row_id, list) and len(row_id) > 1:
        if conn is None:
            raise ValueError("a bump of several rows locks them first: in a transaction")
        await bump_where(table, counter, "id = ANY($1::bigint[])", row_id, by, conn=conn)
        return
    ids = row_id if isinstance(row_id, list) else [row_id]
    statement = f"UPDATE {table} SET {counter} = {counter} + $2 WHERE id = ANY($1::bigint[])"
    await execute(statement, ids, by, conn=conn)


# Several rows are locked, in id order, by a statement of their own before another moves
# them: an UPDATE's own order is its plan's (a heap's order, or an index's), and two writers
# taking the same rows in two orders can each hold what the other waits for. Not by a
# locking subquery of the UPDATE itself: the UPDATE reads the rows as of its start, and
# reaching a version that changed since (one it had just locked itself) it waits again,
# holding that lock, behind whoever waits for the row, such as a transaction that took the
# row's key share (a foreign key's check when it inserted a row pointing to it) and now
# wants the row: a deadlock. (Eight writers on two rows for 6 s, some inserting rows that
# point to them: 7 deadlocks and 363 writes that way, none and 12,621 this way.)


async def lock_rows(table: str, ids: Sequence[int], conn: BaseDBAsyncClient) -> list[int]:
    """Lock rows of `table` for an update of their non-key columns, in id order; return the
    ids of those that exist."""
    if not ids:
        return []
    return await lock_where(table, "id = ANY($1::bigint[])", sorted(set(ids)), conn=conn)


async def lock_where(table: str, which: str, *keys: Any, conn: BaseDBAsyncClient) -> list[int]:
    """Lock the rows of `table` that `which` selects (a condition on its columns and the
    parameters $1, $2... `keys`) for an update of their non-key columns, in id order; their
    ids."""
    rows = await fetch(
        f"SELECT id FROM {table} WHERE {which} ORDER BY id FOR NO KEY UPDATE", *keys, conn=conn
    )
    return [row["id"] for row in rows]


async def bump_where(
    table: str, counter: str, which: str, key: Any, by: int, *, conn: BaseDBAsyncClient
) -> None:
    """Add `by` to a counter of the rows `which` selects (a condition on the table's columns
    of the parameter $1, `key`), locked in id order first, in the caller's transaction."""
    ids = await lock_where(table, which, key, conn=conn)
    if ids:
        await execute(
            f"UPDATE {table} SET {counter} = {counter} + $2 WHERE id = ANY($1::bigint[])",
            ids,
            by,
            conn=conn,
        )


async def bump_each(
    table: str, counter: str, by_id: Mapping[int, int], *, conn: BaseDBAsyncClient
) -> None:
    """Add `by_id[id]` to the counter of each row, locked in id order first, in the caller's
    transaction: several rows moved by different amounts."""
    changes = {row_id: by for row_id, by in by_id.items() if by}
    if not changes or not await lock_rows(table, list(changes), conn):
        return
    await execute(
        f"UPDATE {table} SET {counter} = {counter} + c.by "
        f"FROM unnest($1::bigint[], $2::int[]) AS c(id, by) WHERE {table}.id = c.id",
        list(changes),
        list(changes.values()),
        conn=conn,
    )


# The hot read paths (feed pages, DataLoaders, the viewer) skip the query builder: a
# QuerySet costs a few hundred microseconds of Python to build per query, more than the
# query itself. Their rows become models through `build`, which sets exactly what Tortoise's
# own constructor sets (tests/test_execution.py compares the two).

_columns: dict[type[Model], str] = {}


def columns(model: type[Model], alias: str = "") -> str:
    """The model's columns, comma-separated (only these: a tsvector is not worth decoding)."""
    if model not in _columns:
        _columns[model] = ", ".join(model._meta.fields_db_projection.values())
    names = _columns[model]
    if alias:
        names = ", ".join(f"{alias}.{name}" for name in names.split(", "))
    return names


def _value_expression(field: Field, key: str, slot: str, names: dict[str, Any]) -> str:
    """Python source for a column's value as Tortoise has it, read from `row` (helpers put
    in `names` under `slot`)."""
    read = f"row[{key!r}]"
    if isinstance(field, DatetimeField):
        # timestamptz arrives aware; Tortoise shows it in its configured zone (UTC).
        names["zone"] = get_default_timezone()
        return f"(v.astimezone(zone) if (v := {read}) is not None else None)"
    if isinstance(field, CharEnumFieldInstance | IntEnumFieldInstance):
        # a member by its value in one lookup (the enum's call is ten times slower); an
        # unknown value still goes through the call, and its error
        enum = field.enum_type
        names[slot], names[slot + "_call"] = enum._value2member_map_, enum
        return f"(None if (v := {read}) is None else {slot}[v] if v in {slot} else {slot}_call(v))"
    names[slot] = field.to_python_value
    return f"{slot}({read})"


class _Builder:
    """Models from rows, as Tortoise's Model._init_from_db builds them (same attributes,
    same values) without its per-value checks: on a feed page that was half the cost of
    reading the rows. The builder of a model is one generated function, as dataclasses
    generate `__init__`: a dictionary display of every attribute, 2.5 µs a post where setting
    them one by one took 4 (a feed page builds ~80 models)."""

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        names: dict[str, Any] = {"new": model.__new__, "cls": model}
        entries = [
            "'_partial': False",
            "'_saved_in_db': True",
            f"'_custom_generated_pk': {meta.db_pk_column not in meta.generated_db_fields!r}",
            "'_await_when_save': {}",
        ]
        entries += [f"{name!r}: row[{key!r}]" for key, name, _ in meta.db_native_fields]
        for i, (key, name, field) in enumerate(meta.db_default_fields):
            names[f"t{i}"] = field.field_type
            entries.append(f"{name!r}: (t{i}(v) if (v := row[{key!r}]) is not None else None)")
        for i, (key, name, field) in enumerate(meta.db_complex_fields):
            entries.append(f"{name!r}: {_value_expression(field, key, f'c{i}', names)}")
        # Keys and names are the model's own (code, never input).
        source = (
            "def build(row):\n"
            "    instance = new(cls)\n"
            f"    instance.__dict__.update({{{', '.join(entries)}}})\n"
            "    return instance\n"
        )
        exec(source, names)
        self.build: Callable[[Mapping[str, Any]], Any] = names["build"]


_builders: dict[type[Model], Callable[[Mapping[str, Any]], Any]] = {}


def build(model: type[M], row: Mapping[str, Any]) -> M:
    """The model of a row that has (at least) every column of `columns(model)`."""
    builder = _builders.get(model)
    if builder is None:
        builder = _builders[model] = _Builder(model).build
    return builder(row)


async def select_models(
    model: type[M], where: str, *values: Any, tail: str = "", conn: BaseDBAsyncClient | None = None
) -> list[M]:
    """Models of `SELECT <columns> FROM <table> WHERE <where> <tail>`."""
    rows = await fetch_records(
        f"SELECT {columns(model)} FROM {model._meta.db_table} WHERE {where} {tail}",
        *values,
        conn=conn,
    )
    return [build(model, row) for row in rows]


async def models_by_ids(model: type[M], ids: Sequence[int]) -> list[M]:
    """The rows of these primary keys, in no particular order (missing ones left out)."""
    return await select_models(model, "id = ANY($1::bigint[])", list(ids))
