"""Answers to questions (QUESTION posts): answering, voting, and the asker's accepting one."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.comments import Comment, comment_connection
from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Connection, Node
from api.users import User, user_of
from domain import access, answers, comments, feeds, models

if TYPE_CHECKING:
    from api.posts import Post

PostRef = Annotated["Post", strawberry.lazy("api.posts")]


@strawberry.enum(description="UP and DOWN vote; NONE takes a vote back.")
class VoteValue(Enum):
    UP = "UP"
    DOWN = "DOWN"
    NONE = "NONE"


VOTE_NUMBERS = {VoteValue.UP: 1, VoteValue.DOWN: -1, VoteValue.NONE: 0}
VOTE_VALUES = {1: VoteValue.UP, -1: VoteValue.DOWN}


@strawberry.enum(description="VOTES: accepted answer first, then most voted; NEWEST first.")
class AnswerOrder(Enum):
    VOTES = "VOTES"
    NEWEST = "NEWEST"


@strawberry.type(description="An answer to a QUESTION post.")
class Answer(Node):
    id: strawberry.ID
    body: str
    created_at: datetime
    vote_count: int
    is_accepted: bool
    comment_count: int = strawberry.field(description="Published comments and replies.")
    pk: strawberry.Private[int]
    author_id: strawberry.Private[int]
    question_id: strawberry.Private[int]

    @strawberry.field
    def author(self, info: Info[Context, None]) -> User:
        return user_of(info, self.author_id)  # type: ignore[return-value]

    @strawberry.field(description="The viewer's vote: UP, DOWN, or null.")
    async def viewer_vote(self, info: Info[Context, None]) -> VoteValue | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        value = await info.context.loaders.answer_vote(viewer.id).load(self.pk)
        return VOTE_VALUES.get(value) if value else None

    @strawberry.field
    async def question(self, info: Info[Context, None]) -> PostRef | None:
        from api.posts import Post

        post = await info.context.loaders.post.load(self.question_id)
        viewer = await info.context.viewer()
        closed = await info.context.loaders.closed_circles(viewer)
        if post is None or not access.can_see_question(post, viewer, closed):
            return None
        return Post.from_model(post)

    @strawberry.field(description="Top-level comments, oldest first.")
    async def comments(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Comment]:
        page = await feeds.comments_of_answer(
            self.pk, first=first, after=after, cap=info.context.page_cap
        )
        return await comment_connection(info, page)

    @classmethod
    def from_model(cls, answer: models.Answer) -> Answer:
        return cls(
            id=strawberry.ID(to_global_id("Answer", answer.id)),
            body=answer.body,
            created_at=answer.created_at,
            vote_count=answer.vote_count,
            is_accepted=answer.is_accepted,
            comment_count=answer.comment_count,
            pk=answer.id,
            author_id=answer.author_id,  # type: ignore[attr-defined]
            question_id=answer.question_id,  # type: ignore[attr-defined]
        )


@strawberry.type
class AnswerQuestionPayload:
    answer: Answer
    question: PostRef


@strawberry.type
class AnswerPayload:
    answer: Answer


@strawberry.type
class AddAnswerCommentPayload:
    comment: Comment
    answer: Answer


@strawberry.type
class AnswersMutation:
    @strawberry.mutation(description="Comment on an answer, or reply in one of its threads.")
    async def add_answer_comment(
        self,
        info: Info[Context, None],
        answer_id: strawberry.ID,
        body: str,
        reply_to_id: strawberry.ID | None = None,
    ) -> AddAnswerCommentPayload:
        author = await info.context.require_viewer()
        comment = await comments.add_answer_comment(
            author,
            pk_of(answer_id, "Answer", field="answerId"),
            body,
            reply_to_id=pk_of(reply_to_id, "Comment", field="replyToId") if reply_to_id else None,
            screener=info.context.runtime.screener,
            rules=info.context.runtime.rules,
        )
        answer = await models.Answer.get(id=comment.answer_id)  # type: ignore[attr-defined]
        return AddAnswerCommentPayload(
            comment=Comment.from_model(comment), answer=Answer.from_model(answer)
        )

    @strawberry.mutation(description="One answer per member per question.")
    async def answer_question(
        self, info: Info[Context, None], question_id: strawberry.ID, body: str
    ) -> AnswerQuestionPayload:
        from api.posts import Post

        viewer = await info.context.require_viewer()
        answer, question = await answers.answer_question(
            viewer,
            pk_of(question_id, "Post", field="questionId"),
            body,
            info.context.runtime.screener,
            rules=info.context.runtime.rules,
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
        from api.posts import Post

        viewer = await info.context.require_viewer()
        answer, question = await answers.accept_answer(
            viewer, pk_of(answer_id, "Answer", field="answerId"), rules=info.context.runtime.rules
        )
        return AnswerQuestionPayload(
            answer=Answer.from_model(answer), question=Post.from_model(question)
        )
