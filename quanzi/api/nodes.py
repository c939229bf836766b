"""node(id:) and user(id:): objects fetched by global ID through the request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.types import Info

from quanzi.api.context import Context
from quanzi.api.ids import from_global_id, pk_of
from quanzi.api.relay import Node
from quanzi.api.types.users import User


async def _user_node(context: Context, pk: int) -> Node | None:
    user = await context.loaders.user.load(pk)
    return User.from_model(user) if user else None


# Type name in the global ID -> how to fetch it. Each feature adds its own types here.
NODE_FETCHERS: dict[str, Callable[[Context, int], Awaitable[Node | None]]] = {
    "User": _user_node,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID; null when it does not exist.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        type_name, pk = from_global_id(id)
        fetch = NODE_FETCHERS.get(type_name)
        return await fetch(info.context, pk) if fetch else None

    @strawberry.field(description="A member by global ID; null when there is none.")
    async def user(self, info: Info[Context, None], id: strawberry.ID) -> User | None:
        user = await info.context.loaders.user.load(pk_of(id, "User"))
        return User.from_model(user) if user else None
