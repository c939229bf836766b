"""Keyset pagination: pages stay stable when rows are inserted ahead of the reader."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson
from tortoise.expressions import Q
from tortoise.fields import BooleanField, CharField, DatetimeField, TextField
from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.errors import BadInput

if TYPE_CHECKING:
    from domain.reads import CardVersions

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    cursors: list[str]
    has_next: bool
    # Of a page of posts whose statement also read their cards' versions (domain.reads.
    # card_version_columns), by post id; None when it did not.
    versions: Mapping[int, CardVersions] | None = None
    # Where the next page starts when that is past the last item's cursor: a page of a list
    # of ids whose last posts (or all) were left out since the list was written
    # (domain.id_lists.readable_page); None: the last item's.
    next_after: str | None = None

    @property
    def end_cursor(self) -> str | None:
        if self.next_after is not None:
            return self.next_after
        return self.cursors[-1] if self.cursors else None


class PageSource(Generic[M]):
    """A page as its statement read it, before anything is made of its rows: `content`, equal
    for two reads exactly when the pages made of them are equal (every column of every row
    read, each row told by its versions: domain.reads.rows_key, and what placed them), None
    where it is not kept; `page()` makes the Page, once.
    A page answered whole (api/kept_answers.py) is looked up by its content alone, and a
    page looked up and found is never made."""

    __slots__ = ("_make", "_page", "content")

    def __init__(self, content: Hashable | None, make: Callable[[], Page[M]]) -> None:
        self.content = content
        self._make = make
        self._page: Page[M] | None = None

    def page(self) -> Page[M]:
        if self._page is None:
            self._page = self._make()
        return self._page


@dataclass(frozen=True)
class Counted(Generic[M]):
    """A page, and how to count every row the list holds (all pages): one COUNT query, run
    only when the client asks for the total."""

    page: Page[M]
    count: Callable[[], Awaitable[int]]


def check_first(first: int | None, *, cap: int, default: int = 20) -> int:
    """The page size to use: `first` capped at `cap` (a client asking for more gets a full
    page and pages on); BAD_USER_INPUT when it is negative. Zero is a page of no items that
    still tells whether there are any (Relay's rule: only a negative `first` is an error)."""
    if first is None:
        return min(default, cap)
    if first < 0:
        raise BadInput("first_out_of_range", field="first", max=cap)
    return min(first, cap)


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = orjson.dumps(plain)  # the same bytes as compact json.dumps, at a tenth of the cost
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# What a cursor's numbers and timestamps are compared with: bigint columns, and timestamps
# PostgreSQL and Python both hold once moved to UTC. A forged value past these would fail in
# the database (or in Redis for an offset) as an internal error rather than a bad cursor.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# Floats are compared with `real` columns (search ranks): finite, within a real's range.
FLOAT_MAX = 3.4028234e38
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)


def _checked_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("cursor value")
    at = datetime.fromisoformat(value)
    if at.tzinfo is None or not EARLIEST <= at.astimezone(UTC) <= LATEST:
        raise ValueError("cursor timestamp")
    return at


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which no database column holds
        return True
    return False


def decode_values(cursor: str, types: Sequence[type]) -> list[Any]:
    """The values of a cursor, checked against the types expected and the ranges the
    database holds (64-bit integers, finite reals, timestamps with an offset); BAD_USER_INPUT
    otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = json.loads(raw)
        if not isinstance(plain, list) or len(plain) != len(types):
            raise ValueError("cursor shape")
        values: list[Any] = []
        for kind, value in zip(types, plain, strict=True):
            if isinstance(value, bool):
                if kind is not bool:
                    raise ValueError("cursor value")
            elif kind is datetime:
                value = _checked_datetime(value)
            elif kind is float and isinstance(value, (int, float)):
                value = float(value)
                if not -FLOAT_MAX <= value <= FLOAT_MAX:  # NaN fails this too
                    raise ValueError("cursor number")
            elif not isinstance(value, kind):
                raise ValueError("cursor value")
            elif isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
                raise ValueError("cursor integer")
            elif isinstance(value, str) and ("\x00" in value or _unencodable(value)):
                raise ValueError("cursor text")
            values.append(value)
        return values
    except (ValueError, TypeError, OverflowError):
        raise BadInput("bad_cursor", field="after") from None


# Far past the longest precomputed list; an offset near 2**63 would overflow Redis's range
# arithmetic (offset + page) and answer as if Redis were down.
MAX_LIST_OFFSET = 10_000_000


def decode_offset_cursor(cursor: str) -> tuple[str, int]:
    """A cursor into a precomputed list (a HOT snapshot, a member's ranked list): the list's
    token and a position in it, written by `encode_cursor([token, offset])`."""
    token, offset = decode_values(cursor, (str, int))
    if not 0 <= offset <= MAX_LIST_OFFSET:
        raise BadInput("bad_cursor", field="after")
    return token, offset


def _field_type(model: type[Model], name: str) -> type:
    field = model._meta.fields_map[name]
    if isinstance(field, DatetimeField):
        return datetime
    if isinstance(field, BooleanField):
        return bool
    if isinstance(field, CharField | TextField):
        return str
    return int


def decode_cursor(cursor: str, model: type[Model], fields: Sequence[str]) -> list[Any]:
    return decode_values(cursor, [_field_type(model, f) for f in fields])


def _after_filter(fields: Sequence[str], descending: Sequence[bool], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in the (lexicographic) sort order."""
    clauses = []
    for i, name in enumerate(fields):
        equal = {f: v for f, v in zip(fields[:i], values[:i], strict=True)}
        op = "lt" if descending[i] else "gt"
        clauses.append(Q(**equal, **{f"{name}__{op}": values[i]}))
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    # The OR above is exact but gives PostgreSQL no range to seek to; this redundant bound on
    # the leading column does, so a deep page costs an index seek, not a scan from the top.
    bound = "lte" if descending[0] else "gte"
    return Q(**{f"{fields[0]}__{bound}": values[0]}) & combined


async def keyset_page(
    queryset: QuerySet[M],
    *,
    first: int | None,
    after: str | None,
    order: Sequence[str],
    cap: int,
) -> Page[M]:
    """One page of `queryset` sorted by `order` (e.g. ("-created_at", "-id")); the last
    field must be unique so that every row has exactly one place."""
    size = check_first(first, cap=cap)
    fields = [f.lstrip("-") for f in order]
    descending = [f.startswith("-") for f in order]
    model = queryset.model
    if after:
        values = decode_cursor(after, model, fields)
        queryset = queryset.filter(_after_filter(fields, descending, values))
    rows = await queryset.order_by(*order).limit(size + 1) if size else []
    has_next = len(rows) > size
    items = list(rows[:size])
    cursors = [encode_cursor([getattr(row, f) for f in fields]) for row in items]
    if size == 0:
        has_next = await queryset.exists()
    return Page(items=items, cursors=cursors, has_next=has_next)


async def counted_page(
    queryset: QuerySet[M],
    *,
    first: int | None,
    after: str | None,
    order: Sequence[str],
    cap: int,
) -> Counted[M]:
    """`keyset_page`, with the count of every row of `queryset`."""
    page = await keyset_page(queryset, first=first, after=after, order=order, cap=cap)
    return Counted(page=page, count=queryset.count)
