"""Circles (圈子): groups with their own members, admins and feed; joining and approving."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Connection, Node, connection_from_page
from api.users import User
from domain import access, circles, feeds, models, tasks
from domain.pagination import check_first

if TYPE_CHECKING:
    from api.posts import Post

PostRef = Annotated["Post", strawberry.lazy("api.posts")]

JoinPolicy = strawberry.enum(models.JoinPolicy, name="JoinPolicy")


@strawberry.type(description="A circle (圈子): a group with its own members, admins and feed.")
class Circle(Node):
    id: strawberry.ID
    name: str
    description: str
    join_policy: JoinPolicy  # type: ignore[valid-type]
    member_count: int
    post_count: int
    created_at: datetime
    pk: strawberry.Private[int]

    @strawberry.field(description="An active member (a pending request does not count).")
    async def viewer_is_member(self, info: Info[Context, None]) -> bool:
        membership = await _membership(info, self.pk)
        return membership is not None and membership[1] == models.MembershipStatus.ACTIVE

    @strawberry.field(description="The viewer may administer it: circle admin or operator.")
    async def viewer_is_admin(self, info: Info[Context, None]) -> bool:
        viewer = await info.context.viewer()
        if access.can_moderate_circle(viewer, is_circle_admin=False):
            return True  # operators: no membership to load
        membership = await _membership(info, self.pk)
        is_admin = membership == (models.CircleRole.ADMIN, models.MembershipStatus.ACTIVE)
        return access.can_moderate_circle(viewer, is_circle_admin=is_admin)

    @strawberry.field(description="Its admins (active members who run it), longest-serving first.")
    async def admins(self, info: Info[Context, None]) -> list[User]:
        return [
            User.from_model(u) for u in await info.context.loaders.admins_of_circle.load(self.pk)
        ]

    @strawberry.field(description="Requests waiting for approval (circle admins, operators).")
    async def pending_members(self, info: Info[Context, None], first: int = 50) -> list[User]:
        viewer = await info.context.require_viewer()
        await circles.check_can_admin(viewer, self.pk)
        size = check_first(first, cap=info.context.page_cap)
        return [User.from_model(u) for u in await circles.pending_members(self.pk, size)]

    @strawberry.field(description="The circle's published posts, newest first.")
    async def posts(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[PostRef]:
        from api.post_pages import post_connection

        closed = await info.context.loaders.closed_circles(await info.context.viewer())
        page = await feeds.in_circle(
            self.pk, closed=closed, first=first, after=after, cap=info.context.page_cap
        )
        return await post_connection(info, page)

    @classmethod
    def from_model(cls, circle: models.Circle) -> Circle:
        return cls(
            id=strawberry.ID(to_global_id("Circle", circle.id)),
            name=circle.name,
            description=circle.description,
            join_policy=circle.join_policy,
            member_count=circle.member_count,
            post_count=circle.post_count,
            created_at=circle.created_at,
            pk=circle.id,
        )


async def _membership(info: Info[Context, None], circle_id: int) -> tuple[str, str] | None:
    viewer = await info.context.viewer()
    if viewer is None:
        return None
    return await info.context.loaders.membership(viewer.id).load(circle_id)


@strawberry.input
class CreateCircleInput:
    name: str = strawberry.field(description="1–30 characters, unique.")
    description: str = ""
    join_policy: JoinPolicy = models.JoinPolicy.OPEN  # type: ignore[valid-type]


@strawberry.type
class CirclePayload:
    circle: Circle


@strawberry.type
class JoinCirclePayload:
    pending: bool = strawberry.field(description="Waiting for an admin's approval.")
    circle: Circle


@strawberry.type
class CirclesQuery:
    @strawberry.field(description="All circles, oldest first.")
    async def circles(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Circle]:
        page = await feeds.circles(first=first, after=after, cap=info.context.page_cap)
        return connection_from_page(page, Circle.from_model)  # type: ignore[arg-type]

    @strawberry.field(description="A circle by ID; null when there is none.")
    async def circle(self, info: Info[Context, None], id: strawberry.ID) -> Circle | None:
        circle = await info.context.loaders.circle.load(pk_of(id, "Circle"))
        return Circle.from_model(circle) if circle else None


@strawberry.type
class CirclesMutation:
    @strawberry.mutation(description="Operators open a circle; they become its first admin.")
    async def create_circle(
        self, info: Info[Context, None], input: CreateCircleInput
    ) -> CirclePayload:
        viewer = await info.context.require_role(models.Role.OPERATOR)
        circle = await circles.create_circle(
            viewer, input.name, input.description, input.join_policy
        )
        return CirclePayload(circle=Circle.from_model(circle))

    @strawberry.mutation(description="OPEN circles: member at once; APPROVAL: pending.")
    async def join_circle(
        self, info: Info[Context, None], circle_id: strawberry.ID
    ) -> JoinCirclePayload:
        viewer = await info.context.require_viewer()
        result = await circles.join_circle(viewer, pk_of(circle_id, "Circle", field="circleId"))
        await tasks.announce_after_action(viewer, rules=info.context.runtime.rules)
        return JoinCirclePayload(pending=result.pending, circle=Circle.from_model(result.circle))

    @strawberry.mutation
    async def leave_circle(
        self, info: Info[Context, None], circle_id: strawberry.ID
    ) -> JoinCirclePayload:
        viewer = await info.context.require_viewer()
        result = await circles.leave_circle(viewer, pk_of(circle_id, "Circle", field="circleId"))
        return JoinCirclePayload(pending=False, circle=Circle.from_model(result.circle))

    @strawberry.mutation(description="A circle admin or an operator lets a pending member in.")
    async def approve_circle_member(
        self, info: Info[Context, None], circle_id: strawberry.ID, user_id: strawberry.ID
    ) -> CirclePayload:
        viewer = await info.context.require_viewer()
        circle = await circles.approve_member(
            viewer,
            pk_of(circle_id, "Circle", field="circleId"),
            pk_of(user_id, "User", field="userId"),
        )
        return CirclePayload(circle=Circle.from_model(circle))

    @strawberry.mutation(description="A circle admin or an operator turns a pending request down.")
    async def reject_circle_member(
        self, info: Info[Context, None], circle_id: strawberry.ID, user_id: strawberry.ID
    ) -> CirclePayload:
        viewer = await info.context.require_viewer()
        circle = await circles.reject_member(
            viewer,
            pk_of(circle_id, "Circle", field="circleId"),
            pk_of(user_id, "User", field="userId"),
        )
        return CirclePayload(circle=Circle.from_model(circle))

    @strawberry.mutation(
        description="Operators make an active member one of the circle's admins (admin: true) "
        "or an ordinary member again (false)."
    )
    async def set_circle_admin(
        self,
        info: Info[Context, None],
        circle_id: strawberry.ID,
        user_id: strawberry.ID,
        admin: bool,
    ) -> CirclePayload:
        viewer = await info.context.require_viewer()
        circle = await circles.set_circle_admin(
            viewer,
            pk_of(circle_id, "Circle", field="circleId"),
            pk_of(user_id, "User", field="userId"),
            admin,
        )
        return CirclePayload(circle=Circle.from_model(circle))
