"""The review queue: content (or a member) waiting for moderators, decisions, appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.answers import Answer
from api.comments import Comment
from api.context import Context
from api.ids import pk_of, to_global_id
from api.posts import Post
from api.relay import Connection, Node, connection_from_page
from api.users import User, load_user
from domain import models, review
from domain.review import Decision

ReviewStage = strawberry.enum(models.ReviewStage, name="ReviewStage")
ReviewStatus = strawberry.enum(models.ReviewStatus, name="ReviewStatus")
ReviewDecision = strawberry.enum(Decision, name="ReviewDecision")

ReviewTarget = Annotated[Post | Comment | Answer | User, strawberry.union("ReviewTarget")]


@strawberry.type(description="A piece of content (or a member) waiting for review.")
class ReviewTask(Node):
    id: strawberry.ID
    stage: ReviewStage  # type: ignore[valid-type]
    status: ReviewStatus  # type: ignore[valid-type]
    reasons: list[str]
    report_count: int
    appeal: bool
    created_at: datetime
    target_type: strawberry.Private[str]
    target_id: strawberry.Private[int]

    @strawberry.field(description="The content under review, whatever its status.")
    async def target(self, info: Info[Context, None]) -> ReviewTarget | None:
        loaders = info.context.loaders
        if self.target_type == models.TargetType.POST:
            post = await loaders.post.load(self.target_id)
            return Post.from_model(post) if post else None
        if self.target_type == models.TargetType.COMMENT:
            comment = await loaders.comment.load(self.target_id)
            return Comment.from_model(comment) if comment else None
        if self.target_type == models.TargetType.ANSWER:
            answer = await loaders.answer.load(self.target_id)
            return Answer.from_model(answer) if answer else None
        return await load_user(info, self.target_id)

    @classmethod
    def from_model(cls, task: models.ReviewTask) -> ReviewTask:
        return cls(
            id=strawberry.ID(to_global_id("ReviewTask", task.id)),
            stage=task.stage,
            status=task.status,
            reasons=[str(r) for r in task.reasons],
            report_count=task.report_count,
            appeal=task.appeal,
            created_at=task.created_at,
            target_type=task.target_type,
            target_id=task.target_id,
        )


@strawberry.type
class ReviewTaskPayload:
    task: ReviewTask


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="Open review tasks at a stage, oldest first (moderators).")
    async def review_queue(
        self,
        info: Info[Context, None],
        stage: ReviewStage,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ReviewTask]:
        viewer = await info.context.require_role(models.Role.MODERATOR)
        page = await review.queue(
            viewer, stage, first=first, after=after, cap=info.context.page_cap
        )
        return connection_from_page(page, ReviewTask.from_model)  # type: ignore[arg-type]


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(description="APPROVE, REJECT or ESCALATE a task at its stage.")
    async def decide_review(
        self,
        info: Info[Context, None],
        task_id: strawberry.ID,
        decision: ReviewDecision,  # type: ignore[valid-type]
        note: str | None = None,
    ) -> ReviewTaskPayload:
        actor = await info.context.require_role(models.Role.MODERATOR)
        task = await review.decide(
            actor,
            pk_of(task_id, "ReviewTask", field="taskId"),
            decision,
            note or "",
            rules=info.context.runtime.rules,
        )
        return ReviewTaskPayload(task=ReviewTask.from_model(task))

    @strawberry.mutation(description="Appeal a rejected post, once; it goes to final review.")
    async def appeal_rejection(
        self, info: Info[Context, None], post_id: strawberry.ID, reason: str
    ) -> ReviewTaskPayload:
        author = await info.context.require_viewer()
        task = await review.appeal_rejection(
            author,
            pk_of(post_id, "Post", field="postId"),
            reason,
            screener=info.context.runtime.screener,
        )
        return ReviewTaskPayload(task=ReviewTask.from_model(task))
