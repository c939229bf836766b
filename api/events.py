"""Events (sign-up, rotating-code check-in, stats) and the feedback desk."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Connection, Node, connection_from_page
from api.types.posts import Circle
from api.types.users import User
from domain import events, feedback, models

EventKind = strawberry.enum(models.EventKind, name="EventKind")
EventState = strawberry.enum(events.EventState, name="EventState")
FeedbackCategory = strawberry.enum(models.FeedbackCategory, name="FeedbackCategory")
FeedbackStatus = strawberry.enum(models.FeedbackStatus, name="FeedbackStatus")


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
        )


@strawberry.type
class EventStats:
    signups: int
    check_ins: int
    attendance_rate: float = strawberry.field(description="Check-ins ÷ sign-ups, 0–1.")


@strawberry.type(description="A member's feedback or complaint and the desk's answer.")
class Feedback(Node):
    id: strawberry.ID
    category: FeedbackCategory  # type: ignore[valid-type]
    content: str
    contact: str
    images: list[str]
    status: FeedbackStatus  # type: ignore[valid-type]
    reply: str | None
    rating: int | None
    created_at: datetime
    author_id: strawberry.Private[int]

    @strawberry.field
    async def author(self, info: Info[Context, None]) -> User | None:
        user = await info.context.loaders.user.load(self.author_id)
        return User.from_model(user) if user else None

    @classmethod
    def from_model(cls, ticket: models.Feedback) -> Feedback:
        return cls(
            id=strawberry.ID(to_global_id("Feedback", ticket.id)),
            category=ticket.category,
            content=ticket.content,
            contact=ticket.contact,
            images=list(ticket.images),
            status=ticket.status,
            reply=ticket.reply,
            rating=ticket.rating,
            created_at=ticket.created_at,
            author_id=ticket.author_id,  # type: ignore[attr-defined]
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


@strawberry.input
class SubmitFeedbackInput:
    category: FeedbackCategory  # type: ignore[valid-type]
    content: str = strawberry.field(description="1–2000 characters.")
    contact: str = ""
    image_urls: list[str] | None = None


@strawberry.type
class EventPayload:
    event: Event


@strawberry.type
class FeedbackPayload:
    feedback: Feedback


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
        result = await events.stats(actor, pk_of(event_id, "Event", field="eventId"))
        return EventStats(
            signups=result.signups,
            check_ins=result.check_ins,
            attendance_rate=result.attendance_rate,
        )

    @strawberry.field(description="The viewer's feedback, newest first.")
    async def my_feedback(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Feedback]:
        viewer = await info.context.require_viewer()
        page = await feedback.mine(viewer, first=first, after=after, cap=info.context.page_cap)
        return connection_from_page(page, Feedback.from_model)  # type: ignore[arg-type]

    @strawberry.field(description="The feedback desk, oldest first (operators).")
    async def feedback_tickets(
        self,
        info: Info[Context, None],
        status: FeedbackStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Feedback]:
        actor = await info.context.require_viewer()
        page = await feedback.desk(
            actor, status, first=first, after=after, cap=info.context.page_cap
        )
        return connection_from_page(page, Feedback.from_model)  # type: ignore[arg-type]


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
        event = await events.check_in(viewer, pk_of(event_id, "Event", field="eventId"), code)
        return EventPayload(event=Event.from_model(event))

    @strawberry.mutation(description="The check-in code to show now (changes every 5 minutes).")
    async def event_check_in_code(self, info: Info[Context, None], event_id: strawberry.ID) -> str:
        actor = await info.context.require_viewer()
        return await events.issue_checkin_code(actor, pk_of(event_id, "Event", field="eventId"))

    @strawberry.mutation
    async def submit_feedback(
        self, info: Info[Context, None], input: SubmitFeedbackInput
    ) -> FeedbackPayload:
        viewer = await info.context.require_viewer()
        ticket = await feedback.submit(
            viewer,
            input.category,
            input.content,
            contact=input.contact,
            image_urls=input.image_urls,
            screener=info.context.runtime.screener,
        )
        return FeedbackPayload(feedback=Feedback.from_model(ticket))

    @strawberry.mutation(description="Answer a ticket and set its status (operators).")
    async def reply_feedback(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        reply: str,
        status: FeedbackStatus,  # type: ignore[valid-type]
    ) -> FeedbackPayload:
        actor = await info.context.require_viewer()
        ticket = await feedback.reply(actor, pk_of(id, "Feedback"), reply, status)
        return FeedbackPayload(feedback=Feedback.from_model(ticket))

    @strawberry.mutation(description="The author rates a resolved ticket once, 1–5.")
    async def rate_feedback(
        self, info: Info[Context, None], id: strawberry.ID, rating: int
    ) -> FeedbackPayload:
        viewer = await info.context.require_viewer()
        ticket = await feedback.rate(viewer, pk_of(id, "Feedback"), rating)
        return FeedbackPayload(feedback=Feedback.from_model(ticket))
