"""Circles, questions and answers, polls, and search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of
from api.relay import Connection, connection_from_page
from api.types.posts import (
    VOTE_NUMBERS,
    Answer,
    Circle,
    JoinPolicy,
    Poll,
    Post,
    Topic,
    VoteValue,
)
from api.types.users import User
from domain import answers, circles, feeds, models, polls, search
from domain.errors import BadInput

SearchKind = strawberry.enum(search.SearchKind, name="SearchKind")
SearchResult = Annotated[Post | User | Topic, strawberry.union("SearchResult")]


@strawberry.input
class CreateCircleInput:
    name: str = strawberry.field(description="1–30 characters, unique.")
    description: str = ""
    join_policy: JoinPolicy = models.JoinPolicy.OPEN  # type: ignore[valid-type]


@strawberry.input(description="The poll of a POLL post.")
class PollInput:
    options: list[str] = strawberry.field(description="2–10 distinct options, 1–50 characters.")
    multiple_choice: bool = False
    closes_at: datetime | None = strawberry.field(default=None, description="In the future.")


@strawberry.type
class CirclePayload:
    circle: Circle


@strawberry.type
class JoinCirclePayload:
    pending: bool = strawberry.field(description="Waiting for an admin's approval.")
    circle: Circle


@strawberry.type
class AnswerQuestionPayload:
    answer: Answer
    question: Post


@strawberry.type
class AnswerPayload:
    answer: Answer


@strawberry.type
class PollPayload:
    poll: Poll


def _convert(item: object) -> Post | User | Topic:
    if isinstance(item, models.Post):
        return Post.from_model(item)
    if isinstance(item, models.User):
        return User.from_model(item)
    return Topic.from_model(item)  # type: ignore[arg-type]


@strawberry.type
class CommunityQuery:
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

    @strawberry.field(description="Posts, questions, members or topics matching a query.")
    async def search(
        self,
        info: Info[Context, None],
        query: str,
        kind: SearchKind,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SearchResult]:
        page = await search.search(query, kind, first=first, after=after, cap=info.context.page_cap)
        info.context.loaders.prime_posts([i for i in page.items if isinstance(i, models.Post)])
        return connection_from_page(page, _convert)


@strawberry.type
class CommunityMutation:
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

    @strawberry.mutation(description="One answer per member per question.")
    async def answer_question(
        self, info: Info[Context, None], question_id: strawberry.ID, body: str
    ) -> AnswerQuestionPayload:
        viewer = await info.context.require_viewer()
        answer, question = await answers.answer_question(
            viewer,
            pk_of(question_id, "Post", field="questionId"),
            body,
            info.context.runtime.screener,
        )
        return AnswerQuestionPayload(
            answer=Answer.from_model(answer), question=Post.from_model(question)
        )

    @strawberry.mutation(description="UP, DOWN, or NONE to take the vote back.")
    async def vote_answer(
        self, info: Info[Context, None], answer_id: strawberry.ID, value: VoteValue
    ) -> AnswerPayload:
        viewer = await info.context.require_viewer()
        answer = await answers.vote_answer(
            viewer, pk_of(answer_id, "Answer", field="answerId"), VOTE_NUMBERS[value]
        )
        return AnswerPayload(answer=Answer.from_model(answer))

    @strawberry.mutation(description="The asker accepts one answer.")
    async def accept_answer(
        self, info: Info[Context, None], answer_id: strawberry.ID
    ) -> AnswerQuestionPayload:
        viewer = await info.context.require_viewer()
        answer, question = await answers.accept_answer(
            viewer, pk_of(answer_id, "Answer", field="answerId")
        )
        return AnswerQuestionPayload(
            answer=Answer.from_model(answer), question=Post.from_model(question)
        )

    @strawberry.mutation(description="Vote once; the options are PollOption IDs.")
    async def vote_poll(
        self, info: Info[Context, None], post_id: strawberry.ID, option_ids: list[strawberry.ID]
    ) -> PollPayload:
        viewer = await info.context.require_viewer()
        if len(option_ids) > polls.OPTIONS_MAX:
            raise BadInput("poll_choice", field="optionIds")
        poll = await polls.vote_poll(
            viewer,
            pk_of(post_id, "Post", field="postId"),
            [pk_of(o, "PollOption", field="optionIds") for o in option_ids],
        )
        return PollPayload(poll=Poll.from_model(poll))
