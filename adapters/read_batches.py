"""Reads of one statement that arrive together, sent to PostgreSQL as one (issue 22).

Under load, a feed page's one statement costs the worker less in its own work than in
sending it: asyncpg's write to the socket wakes PostgreSQL's backend on the other core, and
PostgreSQL pays its per-statement overhead (bind, executor start, the result's framing) for
each. Requests that reach the same statement in the same turn of the event loop — a burst
of members opening their feeds — are instead read by one statement: their parameters travel
as one JSON array, unpacked into typed rows (`jsonb_to_recordset`), and the statement runs
once per row (`LEFT JOIN LATERAL`), each request's rows in its own order.

What each request reads is what its own statement would read: the same rows in the same
order, from a snapshot taken after the request asked (the batch is sent at the end of the
turn in which its first request asked). A batch holds at most `size` requests, so that
PostgreSQL reads one batch while the worker makes the pages of the last; 1 turns batching off.

Every row carries `_row`, its place (from 1) among its request's rows, whether it was read
alone or in a batch, so that rows read either way are equal (a kept answer is keyed by its
rows: api/kept_answers.py). Read alone, the statement is `fetch_batched`'s own with that
column beside it.

A statement's parameters' types are read from PostgreSQL at its first read. A batch is only
formed where each is a type JSON carries exactly (integers, texts, booleans, aware moments,
UUIDs, arrays of integers: `_CARRIERS`) and each value is what asyncpg takes for it;
otherwise, or when the batch's statement fails, each request is read alone, with its own
rows or its own error. A request cancelled while it waits leaves the batch to the others.
Reads in a transaction are never batched: they run on its connection, in its snapshot.

The statement's `$1`, `$2`... become the batch's columns by their text: a statement read here
holds no `$` in a literal (the feed's hold none).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from adapters.database import PostgresClient, fetch_rows

# Statements of which the parameters' types are known, the least recently read forgotten first:
# the feed's shapes (a page size, a cursor's kind, confirming or not) are a few hundred.
TYPES_KEPT = 2048

_PARAMETER = re.compile(r"\$(\d+)\b")


@lru_cache(maxsize=512)
def alone(query: str) -> str:
    """The statement for one request: its rows, each with its place among them."""
    return f"SELECT row_number() OVER () AS _row, s.* FROM ({query}) s"


@lru_cache(maxsize=512)
def together(query: str, types: tuple[str, ...]) -> str:
    """The statement for many: $1 is a JSON array of objects, {"o": place in the batch, "p1":
    the first parameter, ...}; each object's rows in order, a request with none holding one row
    of NULLs (the LEFT JOIN), so that every request is seen."""
    inner = _PARAMETER.sub(lambda m: f"_batch.p{m.group(1)}", query)
    columns = ", ".join(f"p{i} {kind}" for i, kind in enumerate(types, 1))
    return (
        f"SELECT _rows.* FROM jsonb_to_recordset($1::jsonb) AS _batch(o int, {columns}) "
        f"LEFT JOIN LATERAL ({alone(inner)}) _rows ON true ORDER BY _batch.o, _rows._row"
    )


class _Inexact(Exception):
    """A value that JSON would not carry exactly into its parameter's type."""


def _integer(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _Inexact


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value
    raise _Inexact


def _boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise _Inexact


def _moment(value: Any) -> Any:
    # In UTC, as asyncpg sends it: Python holds offsets PostgreSQL's input refuses (+23:00,
    # seconds with a fraction), and one such value failed its whole batch.
    if isinstance(value, datetime) and value.utcoffset() is not None:
        if value.tzinfo is UTC:  # as the feeds send it: orjson writes its ISO 8601 itself
            return value
        try:
            return value.astimezone(UTC).isoformat()
        except OverflowError:  # past year 1 or 9999 in UTC: asyncpg refuses it alone
            raise _Inexact from None
    raise _Inexact


def _uuid(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    raise _Inexact


def _integers(value: Any) -> Any:
    if isinstance(value, list) and all(type(v) is int for v in value):
        return value
    raise _Inexact


# The parameters' types a batch carries (as format_type names them), and what each takes: the
# values asyncpg would take for that type and JSON carries exactly. Any other type, or a value
# of another kind, and the batch's requests are read alone.
_CARRIERS: dict[str, Callable[[Any], Any]] = {
    "bigint": _integer,
    "integer": _integer,
    "smallint": _integer,
    "text": _text,
    "character varying": _text,
    "boolean": _boolean,
    "timestamp with time zone": _moment,
    "uuid": _uuid,
    "bigint[]": _integers,
    "integer[]": _integers,
}


def _carried(kind: str, value: Any) -> Any:
    if value is None:
        return None
    carry = _CARRIERS.get(kind)
    if carry is None:
        raise _Inexact
    return carry(value)


def parameters_json(batch: Sequence[Sequence[Any]], types: Sequence[str]) -> str:
    """The batch's parameters as `together` reads them (_Inexact where it cannot; orjson's
    TypeError for text no UTF-8 holds, which no statement would take alone either)."""
    return orjson.dumps(
        [
            {
                "o": place,
                **{
                    f"p{i}": _carried(kind, v)
                    for i, (kind, v) in enumerate(zip(types, values, strict=True), 1)
                },
            }
            for place, values in enumerate(batch)
        ]
    ).decode()


def split(rows: Sequence[asyncpg.Record], requests: int) -> list[list[asyncpg.Record]]:
    """`together`'s rows, request by request (RuntimeError where they are not in order)."""
    out: list[list[asyncpg.Record]] = []
    for row in rows:
        place = row["_row"]
        if place is None:  # a request with no rows
            out.append([])
        elif place == 1:
            out.append([row])
        elif out and len(out[-1]) == place - 1:
            out[-1].append(row)
        else:
            raise RuntimeError(f"a batch's row {place} out of its place")
    if len(out) != requests:
        raise RuntimeError(f"a batch of {requests} reads answered {len(out)}")
    return out


_Waiting = list[tuple[Sequence[Any], "asyncio.Future[list[asyncpg.Record]]"]]


class ReadBatches:
    """The batches of one client (its pool): forming, and sent."""

    def __init__(self, client: PostgresClient, size: int) -> None:
        self.client = client
        self.size = size
        self._forming: dict[str, _Waiting] = {}
        self._types: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._sending: set[asyncio.Task[None]] = set()  # kept referenced until done

    async def fetch(self, query: str, values: Sequence[Any]) -> list[asyncpg.Record]:
        if self.size == 1:  # batching off: in this task, as any read
            return await self._fetch(alone(query), values)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[asyncpg.Record]] = loop.create_future()
        waiting = self._forming.get(query)
        if waiting is None:
            waiting = self._forming[query] = []
            loop.call_soon(self._send, query, waiting)  # at the end of this turn
        waiting.append((values, future))
        if len(waiting) >= self.size:
            self._send(query, waiting)
        return await future

    def _send(self, query: str, waiting: _Waiting) -> None:
        if self._forming.get(query) is not waiting:
            return  # sent already (full)
        del self._forming[query]
        task = asyncio.get_running_loop().create_task(self._read(query, waiting))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _read(self, query: str, waiting: _Waiting) -> None:
        try:
            waiting = [(values, f) for values, f in waiting if not f.done()]  # gone: cancelled
            types = self._types.get(query)
            if types is not None:
                self._types.move_to_end(query)
            if len(waiting) > 1 and types is not None:
                try:
                    data = parameters_json([values for values, _ in waiting], types)
                    rows = await self._fetch(together(query, tuple(types)), [data])
                    answers = split(rows, len(waiting))
                except Exception:  # a value JSON would not carry exactly, or any failure
                    pass  # each alone below: its own rows, or its own error
                else:
                    for (_, future), answer in zip(waiting, answers, strict=True):
                        if not future.done():
                            future.set_result(answer)
                    return
            if types is None:  # the statement's first read: its types first, for the next
                with contextlib.suppress(Exception):  # (a bad statement: each its own error)
                    await self._learn_types(query)
            await asyncio.gather(
                *(self._alone(query, values, f) for values, f in waiting if not f.done())
            )
        except BaseException as exc:  # cancelled (a shutdown), or anything unforeseen
            for _, future in waiting:
                if future.done():
                    continue
                if isinstance(exc, Exception):
                    future.set_exception(exc)
                else:
                    future.cancel()
            if not isinstance(exc, Exception):
                raise

    async def _alone(
        self, query: str, values: Sequence[Any], future: asyncio.Future[list[asyncpg.Record]]
    ) -> None:
        try:
            rows = await self._fetch(alone(query), values)
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(rows)

    async def _fetch(self, query: str, values: Sequence[Any]) -> list[asyncpg.Record]:
        return await fetch_rows(self.client, query, values)

    async def _learn_types(self, query: str) -> None:
        """The SQL types of the statement's parameters, as PostgreSQL infers them: read once,
        on a connection of the pool."""
        async with self.client.acquire_connection() as connection:
            prepared = await connection.prepare(query)
            oids = [kind.oid for kind in prepared.get_parameters()]
            rows = await connection.fetch(
                "SELECT format_type(t.oid, NULL) FROM unnest($1::oid[]) WITH ORDINALITY"
                " AS t(oid, place) ORDER BY t.place",
                oids,
            )
        self._types[query] = tuple(row[0] for row in rows)
        while len(self._types) > TYPES_KEPT:
            self._types.popitem(last=False)


async def fetch_batched(client: Any, query: str, values: Sequence[Any]) -> Sequence[Any] | None:
    """The rows of a read-only statement, each with its place among them (`_row`), read in a
    batch with others that ask for the same statement now; None where it would run in a
    transaction (the caller reads `alone(query)` on the transaction's connection)."""
    if type(client) is not PostgresClient:
        return None
    batches = client.read_batches
    if batches is None:
        batches = client.read_batches = ReadBatches(client, client.read_batch_size)
    return await batches.fetch(query, values)
