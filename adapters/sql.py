"""Raw SQL for what the ORM cannot say (INSERT ... ON CONFLICT with RETURNING) and for the
hot read paths, where the query builder costs more than the query."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import DatetimeField, Field
from tortoise.fields.data import CharEnumFieldInstance, IntEnumFieldInstance
from tortoise.models import Model
from tortoise.timezone import get_default_timezone

M = TypeVar("M", bound=Model)


def connection(conn: BaseDBAsyncClient | None = None) -> BaseDBAsyncClient:
    return conn or Tortoise.get_connection("default")


async def fetch(sql: str, *values: Any, conn: BaseDBAsyncClient | None = None) -> list[dict]:
    """Rows of a SELECT, or of an INSERT/UPDATE/DELETE ... RETURNING."""
    return await connection(conn).execute_query_dict(sql, list(values))


async def fetch_records(
    sql: str, *values: Any, conn: BaseDBAsyncClient | None = None
) -> Sequence[Mapping[str, Any]]:
    """Rows of a SELECT as asyncpg records (read-only mappings): no copy into dicts."""
    _, rows = await connection(conn).execute_query(sql, list(values))
    return rows


async def execute(sql: str, *values: Any, conn: BaseDBAsyncClient | None = None) -> int:
    """Rows changed by an UPDATE or DELETE. (Tortoise misreads INSERT's status line: count
    inserts with `len(await fetch("INSERT ... RETURNING id"))` instead; statements starting
    with WITH go through fetch in Tortoise and report no count either.)"""
    if sql.lstrip().upper().startswith("INSERT") or sql.lstrip().upper().startswith("WITH"):
        raise ValueError("count inserts with fetch(... RETURNING id)")
    count, _ = await connection(conn).execute_query(sql, list(values))
    return int(count)


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
    """Add `by` to a counter of one row (or of several), atomically."""
    ids = row_id if isinstance(row_id, list) else [row_id]
    await execute(
        f"UPDATE {table} SET {counter} = {counter} + $2 WHERE id = ANY($1::bigint[])",
        ids,
        by,
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


def _converter(field: Field) -> Callable[[Any], Any]:
    if isinstance(field, DatetimeField):
        # timestamptz arrives aware; Tortoise shows it in its configured zone (UTC).
        zone = get_default_timezone()
        return lambda value: value.astimezone(zone) if value is not None else None
    if isinstance(field, CharEnumFieldInstance | IntEnumFieldInstance):
        enum = field.enum_type
        return lambda value: enum(value) if value is not None else None
    return field.to_python_value


class _Builder:
    """Models from rows, as Tortoise's Model._init_from_db builds them (same attributes,
    same values) without its per-value checks: on a feed page that is half the cost of
    reading the rows."""

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        self.model = model
        self.plain = [(key, name) for key, name, _ in meta.db_native_fields]
        self.typed = [(key, name, field.field_type) for key, name, field in meta.db_default_fields]
        self.converted = [
            (key, name, _converter(field)) for key, name, field in meta.db_complex_fields
        ]
        self.header = {
            "_partial": False,
            "_saved_in_db": True,
            "_custom_generated_pk": meta.db_pk_column not in meta.generated_db_fields,
        }
        # the plain values (most of a row) in one call
        keys = [key for key, _ in self.plain]
        self.plain_names = [name for _, name in self.plain]
        getter = itemgetter(*keys) if keys else None
        self.plain_values: Callable[[Mapping[str, Any]], Sequence[Any]] = (
            (lambda row: ())
            if getter is None
            else (lambda row: (getter(row),))
            if len(keys) == 1
            else getter
        )

    def __call__(self, row: Mapping[str, Any]) -> Any:
        instance = self.model.__new__(self.model)
        attributes = instance.__dict__
        attributes.update(self.header)
        attributes["_await_when_save"] = {}
        attributes.update(zip(self.plain_names, self.plain_values(row), strict=True))
        for key, name, kind in self.typed:
            value = row[key]
            attributes[name] = kind(value) if value is not None else None
        for key, name, convert in self.converted:
            attributes[name] = convert(row[key])
        return instance


_builders: dict[type[Model], _Builder] = {}


def build(model: type[M], row: Mapping[str, Any]) -> M:
    """The model of a row that has (at least) every column of `columns(model)`."""
    builder = _builders.get(model)
    if builder is None:
        builder = _builders[model] = _Builder(model)
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
