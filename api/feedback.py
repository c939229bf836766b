"""The feedback desk: members' feedback and complaints, the desk's replies and ratings."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Connection, Node, connection_from_page
from api.users import User
from domain import feedback, models

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
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Feedback]:
        actor = await info.context.require_viewer()
        page = await feedback.desk(
            actor, status, first=first, after=after, cap=info.context.page_cap
        )
        return connection_from_page(page, Feedback.from_model)  # type: ignore[arg-type]


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
