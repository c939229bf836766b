"""Running an event: changing it, calling it off, its roster (its organisers)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.events import Event, EventPayload
from api.ids import pk_of
from api.relay import CountedConnection, counted_connection
from api.users import User, user_of
from domain import event_changes, models


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateEventInput:
    title: str | None = None
    description: str | None = None
    location: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    signup_deadline: datetime | None = None
    capacity: int | None = strawberry.field(
        default=None, description="1–100000, never below the members signed up."
    )
    remove_capacity: bool | None = strawberry.field(
        default=None, description="true: no limit any more."
    )
    points_reward: int | None = strawberry.field(
        default=None, description="Changes only until the first check-in."
    )


@strawberry.type(description="A member signed up for an event: one line of its roster.")
class RosterEntry:
    signed_up_at: datetime
    checked_in_at: datetime | None
    user_id: strawberry.Private[int]

    @strawberry.field
    def user(self, info: Info[Context, None]) -> User:
        return user_of(info, self.user_id)  # type: ignore[return-value]

    @classmethod
    def from_model(cls, signup: models.EventSignup) -> RosterEntry:
        return cls(
            signed_up_at=signup.created_at,
            checked_in_at=signup.checked_in_at,
            user_id=signup.user_id,  # type: ignore[attr-defined]
        )


@strawberry.type(name="EventRosterConnection")
class EventRosterConnection(CountedConnection[RosterEntry]):
    pass


@strawberry.type
class EventAdminQuery:
    @strawberry.field(
        description="Who signed up, in the order they did, and who checked in (its organisers)."
    )
    async def event_roster(
        self,
        info: Info[Context, None],
        event_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> EventRosterConnection:
        actor = await info.context.require_viewer()
        counted = await event_changes.roster(
            actor,
            pk_of(event_id, "Event", field="eventId"),
            first=first,
            after=after,
            cap=info.context.page_cap,
        )
        return counted_connection(
            EventRosterConnection, counted.page, counted.count, RosterEntry.from_model
        )


@strawberry.type
class EventAdminMutation:
    @strawberry.mutation(description="Change an event (its organisers); not once cancelled.")
    async def update_event(
        self, info: Info[Context, None], id: strawberry.ID, input: UpdateEventInput
    ) -> EventPayload:
        actor = await info.context.require_viewer()
        changes = event_changes.EventChanges(
            title=input.title,
            description=input.description,
            location=input.location,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            signup_deadline=input.signup_deadline,
            capacity=input.capacity,
            remove_capacity=bool(input.remove_capacity),
            points_reward=input.points_reward,
        )
        event = await event_changes.update_event(
            actor,
            pk_of(id, "Event"),
            changes,
            info.context.runtime.screener,
            rules=info.context.runtime.rules,
        )
        return EventPayload(event=Event.from_model(event))

    @strawberry.mutation(
        description="Call an event off (its organisers): CANCELLED, sign-ups and check-in "
        "closed, no reward paid, every member signed up notified."
    )
    async def cancel_event(
        self, info: Info[Context, None], id: strawberry.ID, reason: str
    ) -> EventPayload:
        actor = await info.context.require_viewer()
        event = await event_changes.cancel_event(
            actor, pk_of(id, "Event"), reason, info.context.runtime.screener
        )
        return EventPayload(event=Event.from_model(event))
