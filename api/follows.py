"""Following members (following topics is in api/topics.py)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of
from api.users import User
from domain import follows


@strawberry.type
class FollowUserPayload:
    user: User


@strawberry.type
class FollowsMutation:
    @strawberry.mutation(description="Idempotent; you cannot follow yourself.")
    async def follow_user(
        self, info: Info[Context, None], user_id: strawberry.ID
    ) -> FollowUserPayload:
        viewer = await info.context.require_viewer()
        user = await follows.follow_user(viewer, pk_of(user_id, "User", field="userId"))
        return FollowUserPayload(user=User.from_model(user))

    @strawberry.mutation
    async def unfollow_user(
        self, info: Info[Context, None], user_id: strawberry.ID
    ) -> FollowUserPayload:
        viewer = await info.context.require_viewer()
        user = await follows.unfollow_user(viewer, pk_of(user_id, "User", field="userId"))
        return FollowUserPayload(user=User.from_model(user))
