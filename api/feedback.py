"""The feedback desk: members' feedback and complaints, the desk's replies and ratings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Connection, CountedConnection, Node, connection_from_page, counted_connection
from api.users import User
from domain import feedback, feedback_metrics, models

FeedbackCategory = strawberry.enum(models.FeedbackCategory, name="FeedbackCategory")
FeedbackStatus = strawberry.enum(models.FeedbackStatus, name="FeedbackStatus")


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
    first_replied_at: datetime | None = strawberry.field(
        description="The desk's first reply (the SLA clock stops); null until then."
    )
    resolved_at: datetime | None = strawberry.field(
        description="When it was resolved or closed; null while open (or reopened)."
    )
    author_id: strawberry.Private[int]

    @strawberry.field(
        description="When the first reply is due: createdAt + the first-reply SLA "
        "(QUANZI_FEEDBACK_SLA_HOURS, 24 h by default)."
    )
    def due_at(self, info: Info[Context, None]) -> datetime:
        return info.context.runtime.rules.feedback_due(self.created_at)

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
            first_replied_at=ticket.first_replied_at,
            resolved_at=ticket.resolved_at,
            author_id=ticket.author_id,  # type: ignore[attr-defined]
        )


@strawberry.type(name="FeedbackDeskConnection")
class FeedbackDeskConnection(CountedConnection[Feedback]):
    pass


@strawberry.type
class FeedbackCategoryCount:
    category: FeedbackCategory  # type: ignore[valid-type]
    count: int


@strawberry.type(
    description="How the feedback desk kept up with the tickets received over a range of "
    "community days."
)
class FeedbackMetrics:
    received: int
    resolved: int = strawberry.field(description="Of those received, resolved or closed now.")
    median_first_reply_seconds: float | None = strawberry.field(
        description="From a ticket to its first reply, over those answered; null when none."
    )
    within_sla_rate: float | None = strawberry.field(
        description="Answered within the SLA ÷ (answered + unanswered past due); null when "
        "none is due yet."
    )
    average_rating: float | None = strawberry.field(description="Over those rated (1–5).")
    by_category: list[FeedbackCategoryCount] = strawberry.field(
        description="Received per category, every category listed."
    )


@strawberry.input
class SubmitFeedbackInput:
    category: FeedbackCategory  # type: ignore[valid-type]
    content: str = strawberry.field(description="1–2000 characters.")
    contact: str = ""
    image_urls: list[str] | None = None


@strawberry.type
class FeedbackPayload:
    feedback: Feedback


@strawberry.type
class FeedbackQuery:
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
        category: FeedbackCategory | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> FeedbackDeskConnection:
        actor = await info.context.require_viewer()
        counted = await feedback.desk(
            actor, status, category, first=first, after=after, cap=info.context.page_cap
        )
        return counted_connection(
            FeedbackDeskConnection, counted.page, counted.count, Feedback.from_model
        )

    @strawberry.field(description="The feedback desk's figures over community days (operators).")
    async def feedback_metrics(
        self,
        info: Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> FeedbackMetrics:
        viewer = await info.context.require_viewer()
        found = await feedback_metrics.feedback_metrics(
            viewer, from_, to, rules=info.context.runtime.rules
        )
        return FeedbackMetrics(
            received=found.received,
            resolved=found.resolved,
            median_first_reply_seconds=found.median_first_reply_seconds,
            within_sla_rate=found.within_sla_rate,
            average_rating=found.average_rating,
            by_category=[
                FeedbackCategoryCount(category=c.category, count=c.count) for c in found.by_category
            ],
        )


@strawberry.type
class FeedbackMutation:
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
