"""Search: posts and questions by relevance, members and topics by popularity."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.posts import Post
from api.relay import Connection, connection_from_page
from api.topics import Topic
from api.users import User
from domain import models, search

SearchKind = strawberry.enum(search.SearchKind, name="SearchKind")
SearchResult = Annotated[Post | User | Topic, strawberry.union("SearchResult")]


def _convert(item: object) -> Post | User | Topic:
    if isinstance(item, models.Post):
        return Post.from_model(item)
    if isinstance(item, models.User):
        return User.from_model(item)
    return Topic.from_model(item)  # type: ignore[arg-type]


@strawberry.type
class SearchQuery:
    @strawberry.field(description="Posts, questions, members or topics matching a query.")
    async def search(
        self,
        info: Info[Context, None],
        query: str,
        kind: SearchKind,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SearchResult]:
        closed = await info.context.loaders.closed_circles(await info.context.viewer())
        page = await search.search(
            query, kind, closed=closed, first=first, after=after, cap=info.context.page_cap
        )
        info.context.loaders.prime_posts([i for i in page.items if isinstance(i, models.Post)])
        return connection_from_page(page, _convert)
