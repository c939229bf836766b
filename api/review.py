"""The review queue: content (or a member) waiting for moderators, decisions, appeals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.answers import Answer
from api.comments import Comment
from api.context import Context
from api.ids import pk_of, to_global_id
from api.moderation import ReportReason, ReportTargetType
from api.posts import Post
from api.relay import CountedConnection, Node, counted_connection
from api.users import User, load_user
from domain import models, review, review_queue
from domain.review import Decision, claim_holder

ReviewStage = strawberry.enum(models.ReviewStage, name="ReviewStage")
ReviewStatus = strawberry.enum(models.ReviewStatus, name="ReviewStatus")
ReviewDecision = strawberry.enum(Decision, name="ReviewDecision")
ReviewSource = strawberry.enum(
    models.ReviewSource,
    name="ReviewSource",
    description="What opened a review task (MANUAL: hidden by staff, e.g. hideMemberContent).",
)

ReviewTarget = Annotated[Post | Comment | Answer | User, strawberry.union("ReviewTarget")]


@strawberry.type(description="A decision already taken on a review task.")
class ReviewHistoryEntry:
    stage: ReviewStage  # type: ignore[valid-type]
    decision: ReviewDecision  # type: ignore[valid-type]
    violation: ReportReason | None = strawberry.field(  # type: ignore[valid-type]
        description="The violation type (违规类型) recorded with it; null when none was given."
    )
    note: str
    decided_at: datetime
    actor_id: strawberry.Private[int | None]

    @strawberry.field
    async def actor(self, info: Info[Context, None]) -> User | None:
        return await load_user(info, self.actor_id) if self.actor_id else None

    @classmethod
    def from_model(cls, row: models.ReviewDecision) -> ReviewHistoryEntry:
        return cls(
            stage=row.stage,
            decision=Decision(row.decision),
            violation=row.violation,
            note=row.note,
            decided_at=row.decided_at,
            actor_id=row.actor_id,  # type: ignore[attr-defined]
        )


@strawberry.type(description="A piece of content (or a member) waiting for review.")
class ReviewTask(Node):
    id: strawberry.ID
    stage: ReviewStage  # type: ignore[valid-type]
    status: ReviewStatus  # type: ignore[valid-type]
    source: ReviewSource  # type: ignore[valid-type]
    reasons: list[str]
    report_count: int
    appeal: bool
    created_at: datetime
    stage_entered_at: datetime = strawberry.field(
        description="When the task reached its current stage."
    )
    claim_expires_at: datetime | None = strawberry.field(
        description="When the claim on the task ends; null when nobody's claim holds."
    )
    pk: strawberry.Private[int]
    target_type: strawberry.Private[str]
    target_id: strawberry.Private[int]
    claimed_by_id: strawberry.Private[int | None]

    @strawberry.field(description="stageEnteredAt plus the stage's SLA (a setting).")
    def due_at(self, info: Info[Context, None]) -> datetime:
        return info.context.runtime.rules.review_due(self.stage, self.stage_entered_at)

    @strawberry.field(description="The reviewer whose claim on the task holds now.")
    async def claimed_by(self, info: Info[Context, None]) -> User | None:
        return await load_user(info, self.claimed_by_id) if self.claimed_by_id else None

    @strawberry.field(description="The distinct reasons of the reports behind the task.")
    async def report_reasons(self, info: Info[Context, None]) -> list[ReportReason]:  # type: ignore[valid-type]
        reasons = await info.context.loaders.report_reasons_of_task.load(self.pk)
        return [models.ReportReason(r) for r in reasons]

    @strawberry.field(description="One entry per decision taken on the task, oldest first.")
    async def history(self, info: Info[Context, None]) -> list[ReviewHistoryEntry]:
        rows = await info.context.loaders.decisions_of_task.load(self.pk)
        return [ReviewHistoryEntry.from_model(row) for row in rows]

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
        holder = claim_holder(task, datetime.now(UTC))
        return cls(
            id=strawberry.ID(to_global_id("ReviewTask", task.id)),
            stage=task.stage,
            status=task.status,
            source=task.source,
            reasons=[str(r) for r in task.reasons],
            report_count=task.report_count,
            appeal=task.appeal,
            created_at=task.created_at,
            stage_entered_at=task.stage_entered_at,
            claim_expires_at=task.claim_expires_at if holder is not None else None,
            pk=task.id,
            target_type=task.target_type,
            target_id=task.target_id,
            claimed_by_id=holder,
        )


@strawberry.type(name="ReviewTaskConnection")
class ReviewTaskConnection(CountedConnection[ReviewTask]):
    pass


@strawberry.input(description="Narrows a review queue; a criterion left out (or empty) does not.")
class ReviewFilter:
    report_reasons: list[ReportReason] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Tasks with a report of any of these reasons."
    )
    sources: list[ReviewSource] | None = None  # type: ignore[valid-type]
    target_type: ReportTargetType | None = None  # type: ignore[valid-type]
    min_reports: int | None = strawberry.field(default=None, description="reportCount >= this.")
    appeals_only: bool | None = strawberry.field(
        default=None, description="true: appeals only; false: no appeals."
    )
    created_after: datetime | None = None
    created_before: datetime | None = None

    def to_domain(self) -> review_queue.ReviewFilter:
        return review_queue.ReviewFilter(
            report_reasons=tuple(self.report_reasons or ()),
            sources=tuple(self.sources or ()),
            target_type=self.target_type,
            min_reports=self.min_reports,
            appeals_only=self.appeals_only,
            created_after=self.created_after,
            created_before=self.created_before,
        )


@strawberry.type
class ReviewTaskPayload:
    task: ReviewTask


@strawberry.type
class ReviewQuery:
    @strawberry.field(
        description="Open review tasks at a stage, longest at the stage first (moderators)."
    )
    async def review_queue(
        self,
        info: Info[Context, None],
        stage: ReviewStage,  # type: ignore[valid-type]
        filter_: Annotated[ReviewFilter | None, strawberry.argument(name="filter")] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ReviewTaskConnection:
        viewer = await info.context.require_viewer()
        counted = await review_queue.queue(
            viewer,
            stage,
            filter_.to_domain() if filter_ else None,
            first=first,
            after=after,
            cap=info.context.page_cap,
        )
        return counted_connection(
            ReviewTaskConnection, counted.page, counted.count, ReviewTask.from_model
        )


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(description="APPROVE, REJECT or ESCALATE a task at its stage.")
    async def decide_review(
        self,
        info: Info[Context, None],
        task_id: strawberry.ID,
        decision: ReviewDecision,  # type: ignore[valid-type]
        note: str | None = None,
        violation: ReportReason | None = None,  # type: ignore[valid-type]
    ) -> ReviewTaskPayload:
        actor = await info.context.require_role(models.Role.MODERATOR)
        task = await review.decide(
            actor,
            pk_of(task_id, "ReviewTask", field="taskId"),
            decision,
            note or "",
            rules=info.context.runtime.rules,
            violation=violation,
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
