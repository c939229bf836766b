"""Shapes every feature shares: the Node interface, Relay cursor connections over keyset
pages, and the plain `ok` payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import strawberry

T = TypeVar("T")


class Page(Protocol):
    """A keyset page as the domain answers it (`domain.pagination.Page`, search's page)."""

    @property
    def items(self) -> Sequence[Any]: ...

    @property
    def cursors(self) -> Sequence[str]: ...

    @property
    def has_next(self) -> bool: ...

    @property
    def end_cursor(self) -> str | None:
        """Where the next page starts: the last item's cursor, or past items left out."""


@strawberry.interface(description="An object with a global ID, fetchable through `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type(description="Where a page of a connection ends.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = False
    start_cursor: str | None = None
    end_cursor: str | None = None


@strawberry.type
class OkPayload:
    ok: bool


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def connection_from_page(page: Page, convert: Callable[[object], T]) -> Connection[T]:
    """Turn a domain keyset page into a Relay connection of API types."""
    edges = [
        Edge(cursor=cursor, node=convert(item))
        for item, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.end_cursor,
        ),
    )


@strawberry.type
class CountedConnection(Connection[T], Generic[T]):
    """A connection that also says how many rows match its arguments (all pages): one COUNT
    query, run only when `totalCount` is asked for. Name each one with a subclass."""

    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many rows match the arguments, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


C = TypeVar("C", bound=CountedConnection[Any])


def counted_connection(
    cls: type[C], page: Page, count: Callable[[], Awaitable[int]], convert: Callable[[Any], Any]
) -> C:
    """A domain page and its count as the connection type `cls`."""
    plain = connection_from_page(page, convert)
    return cls(edges=plain.edges, page_info=plain.page_info, count=count)
