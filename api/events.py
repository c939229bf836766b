"""Events: sign-up (never oversold), rotating-code check-in, and attendance stats."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.circles import Circle
from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Connection, Node, connection_from_page
from domain import events, models

EventKind = strawberry.enum(models.EventKind, name="EventKind")
EventState = strawberry.enum(events.EventState, name="EventState")


@strawberry.type(description="An online or offline event members sign up for.")
class Event(Node):
    id: strawberry.ID
    title: str
    description: str
    kind: EventKind  # type: ignore[valid-type]
    location: str
    starts_at: datetime
    ends_at: datetime
    signup_deadline: datetime
    capacity: int | None = strawberry.field(description="Null: no limit.")
    signup_count: int
    remaining: int | None = strawberry.field(description="Seats left; null without a limit.")
    state: EventState  # type: ignore[valid-type]
    points_reward: int
    pk: strawberry.Private[int]
    circle_id: strawberry.Private[int | None]
    checkin_count: strawberry.Private[int]

    async def _signup(self, info: Info[Context, None]) -> tuple[bool, bool]:
        viewer = await info.context.viewer()
        if viewer is None:
            return False, False
        return await info.context.loaders.event_signup(viewer.id).load(self.pk)

    @strawberry.field
    async def viewer_signed_up(self, info: Info[Context, None]) -> bool:
        return (await self._signup(info))[0]

    @strawberry.field
    async def viewer_checked_in(self, info: Info[Context, None]) -> bool:
        return (await self._signup(info))[1]

    @strawberry.field
    async def circle(self, info: Info[Context, None]) -> Circle | None:
        if self.circle_id is None:
            return None
        circle = await info.context.loaders.circle.load(self.circle_id)
        return Circle.from_model(circle) if circle else None

    @strawberry.field(
        description="Sign-ups, check-ins and attendance, as eventStats; null for whoever does "
        "not run the event (operators; a circle's events also its admins)."
    )
    async def stats(self, info: Info[Context, None]) -> EventStats | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        membership = None
        if (circle := events.circle_to_check(viewer, self.circle_id)) is not None:
            # the viewer's memberships of a page's circles: one query for the page
            membership = await info.context.loaders.membership(viewer.id).load(circle)
        if not events.may_run_with(viewer, self.circle_id, membership):
            return None
        return EventStats.of(events.figures(self.signup_count, self.checkin_count))

    @classmethod
    def from_model(cls, event: models.Event) -> Event:
        return cls(
            id=strawberry.ID(to_global_id("Event", event.id)),
            title=event.title,
            description=event.description,
            kind=event.kind,
            location=event.location,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            signup_deadline=event.signup_deadline,
            capacity=event.capacity,
            signup_count=event.signup_count,
            remaining=max(0, event.capacity - event.signup_count)
            if event.capacity is not None
            else None,
            state=events.state_of(event),
            points_reward=event.points_reward,
            pk=event.id,
            circle_id=event.circle_id,  # type: ignore[attr-defined]
            checkin_count=event.checkin_count,
        )


@strawberry.type
class EventStats:
    signups: int
    check_ins: int
    attendance_rate: float = strawberry.field(description="Check-ins ÷ sign-ups, 0–1.")

    @classmethod
    def of(cls, figures: events.EventStats) -> EventStats:
        return cls(
            signups=figures.signups,
            check_ins=figures.check_ins,
            attendance_rate=figures.attendance_rate,
        )


@strawberry.input
class CreateEventInput:
    title: str
    kind: EventKind  # type: ignore[valid-type]
    starts_at: datetime
    ends_at: datetime
    signup_deadline: datetime | None = strawberry.field(
        default=None, description="Defaults to the start."
    )
    description: str = ""
    location: str = ""
    capacity: int | None = None
    points_reward: int = 0
    circle_id: strawberry.ID | None = strawberry.field(
        default=None, description="A circle's event (its admins may create it)."
    )


@strawberry.type
class EventPayload:
    event: Event


@strawberry.type
class EventsQuery:
    @strawberry.field(description="Events by state (from the clock); all when left out.")
    async def events(
        self,
        info: Info[Context, None],
        state: EventState | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Event]:
        page = await events.list_events(state, first=first, after=after, cap=info.context.page_cap)
        return connection_from_page(page, Event.from_model)  # type: ignore[arg-type]

    @strawberry.field
    async def event(self, info: Info[Context, None], id: strawberry.ID) -> Event | None:
        event = await models.Event.get_or_none(id=pk_of(id, "Event"))
        return Event.from_model(event) if event else None

    @strawberry.field(description="Sign-ups, check-ins and attendance (its organisers).")
    async def event_stats(self, info: Info[Context, None], event_id: strawberry.ID) -> EventStats:
        actor = await info.context.require_viewer()
        return EventStats.of(await events.stats(actor, pk_of(event_id, "Event", field="eventId")))


@strawberry.type
class EventsMutation:
    @strawberry.mutation(description="Operators; circle admins for their circle's events.")
    async def create_event(
        self, info: Info[Context, None], input: CreateEventInput
    ) -> EventPayload:
        actor = await info.context.require_viewer()
        event = await events.create_event(
            actor,
            events.EventDraft(
                title=input.title,
                kind=input.kind,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                signup_deadline=input.signup_deadline,
                description=input.description,
                location=input.location,
                capacity=input.capacity,
                points_reward=input.points_reward,
                circle_id=pk_of(input.circle_id, "Circle", field="circleId")
                if input.circle_id
                else None,
            ),
            info.context.runtime.screener,
            rules=info.context.runtime.rules,
        )
        return EventPayload(event=Event.from_model(event))

    @strawberry.mutation(description="Take a seat; never oversold; twice is harmless.")
    async def sign_up_event(
        self, info: Info[Context, None], event_id: strawberry.ID
    ) -> EventPayload:
        viewer = await info.context.require_viewer()
        event = await events.sign_up(viewer, pk_of(event_id, "Event", field="eventId"))
        return EventPayload(event=Event.from_model(event))

    @strawberry.mutation
    async def cancel_event_signup(
        self, info: Info[Context, None], event_id: strawberry.ID
    ) -> EventPayload:
        viewer = await info.context.require_viewer()
        event = await events.cancel_signup(viewer, pk_of(event_id, "Event", field="eventId"))
        return EventPayload(event=Event.from_model(event))

    @strawberry.mutation(description="Check in with the code shown at the event.")
    async def check_in_event(
        self, info: Info[Context, None], event_id: strawberry.ID, code: str
    ) -> EventPayload:
        viewer = await info.context.require_viewer()
        event = await events.check_in(
            viewer,
            pk_of(event_id, "Event", field="eventId"),
            code,
            rules=info.context.runtime.rules,
            store=info.context.runtime.store,
        )
        return EventPayload(event=Event.from_model(event))

    @strawberry.mutation(description="The check-in code to show now (changes every 5 minutes).")
    async def event_check_in_code(self, info: Info[Context, None], event_id: strawberry.ID) -> str:
        actor = await info.context.require_viewer()
        return await events.issue_checkin_code(actor, pk_of(event_id, "Event", field="eventId"))
