"""Scheduled publishing and the content calendar (内容日历), for operators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.events import Event
from api.featured import Collection, PinScope
from api.ids import pk_of, to_global_id
from api.posts import CreatePostInput, Post, PostPayload, draft_of
from domain import content_calendar, scheduling
from domain.content_calendar import CalendarItem as DomainItem

CalendarKind = strawberry.enum(
    content_calendar.CalendarKind,
    name="CalendarKind",
    description="SCHEDULED_POST: at its publishAt; PUBLISHED_POST: posts by operators and "
    "admins, when they went out; PIN: pinnedAt → until (null: for good); FEATURE: when it "
    "was featured; EVENT: startsAt → endsAt; COLLECTION: when it was made.",
)


@strawberry.type(description="One entry of the content calendar.")
class CalendarItem:
    id: strawberry.ID = strawberry.field(
        description="The global ID of the post, event or collection behind the item (one post "
        "may be behind several items: cache them by id and kind)."
    )
    kind: CalendarKind  # type: ignore[valid-type]
    title: str = strawberry.field(description="Its title (a post without one: its first words).")
    starts_at: datetime
    ends_at: datetime | None = strawberry.field(description="Null for a moment, or a pin for good.")
    pin_scope: PinScope | None = strawberry.field(description="A PIN's scope.")  # type: ignore[valid-type]
    post: Post | None
    event: Event | None
    collection: Collection | None

    @classmethod
    def from_item(cls, item: DomainItem) -> CalendarItem:
        if item.post is not None:
            gid = to_global_id("Post", item.post.id)
        elif item.event is not None:
            gid = to_global_id("Event", item.event.id)
        else:
            gid = to_global_id("Collection", item.collection.id)  # type: ignore[union-attr]
        return cls(
            id=strawberry.ID(gid),
            kind=item.kind,
            title=item.title,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            pin_scope=item.pin_scope,
            post=Post.from_model(item.post) if item.post else None,
            event=Event.from_model(item.event) if item.event else None,
            collection=Collection.from_model(item.collection) if item.collection else None,
        )


@strawberry.type
class SchedulingQuery:
    @strawberry.field(
        description="What operators put out (or will) between `from` and `to` (at most 62 "
        "days), by start time (operators)."
    )
    async def content_calendar(
        self,
        info: Info[Context, None],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> list[CalendarItem]:
        actor = await info.context.require_viewer()
        items = await content_calendar.content_calendar(actor, from_, to)
        info.context.loaders.prime_posts([i.post for i in items if i.post is not None])
        return [CalendarItem.from_item(item) for item in items]


@strawberry.type
class SchedulingMutation:
    @strawberry.mutation(
        description="Write a post now to be published at `publishAt`, 1 minute to 90 days "
        "ahead (operators): SCHEDULED until then, seen by staff and its author only; a bounty "
        "is escrowed now; a poll must close after it."
    )
    async def schedule_post(
        self, info: Info[Context, None], input: CreatePostInput, publish_at: datetime
    ) -> PostPayload:
        actor = await info.context.require_viewer()
        runtime = info.context.runtime
        post = await scheduling.schedule_post(
            actor, draft_of(input), publish_at, runtime.screener, rules=runtime.rules
        )
        return PostPayload(post=Post.from_model(post))

    @strawberry.mutation(description="Move a scheduled post (the same window; operators).")
    async def reschedule_post(
        self, info: Info[Context, None], post_id: strawberry.ID, publish_at: datetime
    ) -> PostPayload:
        actor = await info.context.require_viewer()
        post = await scheduling.reschedule_post(
            actor, pk_of(post_id, "Post", field="postId"), publish_at
        )
        return PostPayload(post=Post.from_model(post))

    @strawberry.mutation(
        description="Call off a scheduled post: DELETED, its bounty refunded (operators)."
    )
    async def cancel_scheduled_post(
        self, info: Info[Context, None], post_id: strawberry.ID
    ) -> PostPayload:
        actor = await info.context.require_viewer()
        post = await scheduling.cancel_scheduled_post(
            actor, pk_of(post_id, "Post", field="postId"), rules=info.context.runtime.rules
        )
        return PostPayload(post=Post.from_model(post))
