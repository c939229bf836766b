"""The review desk around the queue: the day's to-do list, claims on tasks, bulk decisions and
how fast the desk decides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of
from api.moderation import ReportReason
from api.review import ReviewDecision, ReviewStage, ReviewTask, ReviewTaskPayload
from api.users import User, load_user
from domain import alerts, feedback_metrics, review, review_claims, review_metrics, review_queue
from domain.errors import BadInput


@strawberry.type(description="Open review tasks at one stage.")
class ReviewStageLoad:
    stage: ReviewStage  # type: ignore[valid-type]
    open_count: int
    overdue_count: int = strawberry.field(description="Past the stage's SLA now.")
    oldest_entered_at: datetime | None = strawberry.field(
        description="When the longest-waiting task reached the stage."
    )


@strawberry.type(description="The console's home page: what waits for staff today.")
class ConsoleOverview:
    review_stages: list[ReviewStageLoad] = strawberry.field(
        description="Every open task per stage, appeals included (they sit at FINAL)."
    )
    open_appeals: int = strawberry.field(description="The open appeals, counted on their own.")
    open_feedback: int = strawberry.field(description="Feedback not resolved or closed.")
    pending_circle_members: int = strawberry.field(description="Members waiting to join.")

    @strawberry.field(
        description="Tickets with no reply yet past their dueAt (operators; null with "
        "FORBIDDEN for moderators)."
    )
    async def overdue_feedback(self, info: Info[Context, None]) -> int | None:
        viewer = await info.context.require_viewer()
        return await feedback_metrics.overdue_count(viewer, rules=info.context.runtime.rules)

    @strawberry.field(
        description="Alerts not resolved (OPEN or ACKNOWLEDGED) (operators; null with "
        "FORBIDDEN for moderators)."
    )
    async def open_alerts(self, info: Info[Context, None]) -> int | None:
        return await alerts.open_count(await info.context.require_viewer())


@strawberry.type(description="One task's result in a bulk decision.")
class DecideReviewResult:
    task_id: strawberry.ID
    ok: bool
    error_code: str | None = strawberry.field(description="Null when ok.")
    task: ReviewTask | None = strawberry.field(description="Null when not ok.")


@strawberry.type
class DecideReviewsPayload:
    results: list[DecideReviewResult]


@strawberry.type
class ReviewDay:
    date: date
    inflow: int = strawberry.field(description="Tasks opened that day.")
    decided: int = strawberry.field(description="Decisions taken that day (at any stage).")
    decided_within_sla: int


@strawberry.type
class ReviewStageSpeed:
    stage: ReviewStage  # type: ignore[valid-type]
    decided: int
    median_seconds: float | None = strawberry.field(
        description="From reaching the stage to the decision; null when none was decided."
    )
    p95_seconds: float | None
    within_sla_rate: float | None


@strawberry.type
class ModeratorDecisions:
    decided: int
    approved: int
    rejected: int
    escalated: int
    moderator_id: strawberry.Private[int]

    @strawberry.field
    async def moderator(self, info: Info[Context, None]) -> User:
        return await load_user(info, self.moderator_id)


@strawberry.type(description="How the review desk kept up over a range of community days.")
class ReviewMetrics:
    days: list[ReviewDay]
    stages: list[ReviewStageSpeed]
    moderators: list[ModeratorDecisions] = strawberry.field(description="Most decisions first.")
    appeals_overturned: int = strawberry.field(
        description="Appeals approved (a rejection undone), closed in the range."
    )


@strawberry.type
class ReviewDeskQuery:
    @strawberry.field(description="The day's to-do list (moderators).")
    async def console_overview(self, info: Info[Context, None]) -> ConsoleOverview:
        viewer = await info.context.require_viewer()
        found = await review_queue.overview(viewer, rules=info.context.runtime.rules)
        return ConsoleOverview(
            review_stages=[
                ReviewStageLoad(
                    stage=s.stage,
                    open_count=s.open_count,
                    overdue_count=s.overdue_count,
                    oldest_entered_at=s.oldest_entered_at,
                )
                for s in found.review_stages
            ],
            open_appeals=found.open_appeals,
            open_feedback=found.open_feedback,
            pending_circle_members=found.pending_circle_members,
        )

    @strawberry.field(description="Inflow, decisions and speed per stage and reviewer (operators).")
    async def review_metrics(
        self,
        info: Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> ReviewMetrics:
        viewer = await info.context.require_viewer()
        found = await review_metrics.review_metrics(
            viewer, from_, to, rules=info.context.runtime.rules
        )
        return ReviewMetrics(
            days=[ReviewDay(**vars(d)) for d in found.days],
            stages=[ReviewStageSpeed(**vars(s)) for s in found.stages],
            moderators=[ModeratorDecisions(**vars(m)) for m in found.moderators],
            appeals_overturned=found.appeals_overturned,
        )


@strawberry.type
class ReviewDeskMutation:
    @strawberry.mutation(
        description="Claim a task for a while (a lease): others cannot decide it meanwhile."
    )
    async def claim_review_task(
        self, info: Info[Context, None], task_id: strawberry.ID
    ) -> ReviewTaskPayload:
        actor = await info.context.require_viewer()
        task = await review_claims.claim_task(
            actor, pk_of(task_id, "ReviewTask", field="taskId"), rules=info.context.runtime.rules
        )
        return ReviewTaskPayload(task=ReviewTask.from_model(task))

    @strawberry.mutation(description="End one's claim on a task (operators: anyone's).")
    async def release_review_task(
        self, info: Info[Context, None], task_id: strawberry.ID
    ) -> ReviewTaskPayload:
        actor = await info.context.require_viewer()
        task = await review_claims.release_task(actor, pk_of(task_id, "ReviewTask", field="taskId"))
        return ReviewTaskPayload(task=ReviewTask.from_model(task))

    @strawberry.mutation(
        description="One decision on several tasks, each under every rule of decideReview; "
        "one refusal does not stop the others."
    )
    async def decide_reviews(
        self,
        info: Info[Context, None],
        task_ids: list[strawberry.ID],
        decision: ReviewDecision,  # type: ignore[valid-type]
        violation: ReportReason | None = None,  # type: ignore[valid-type]
        note: str | None = None,
    ) -> DecideReviewsPayload:
        actor = await info.context.require_viewer()
        given = list(dict.fromkeys(task_ids))
        pks: list[int | None] = []
        for global_id in given:
            try:
                pks.append(pk_of(global_id, "ReviewTask", field="taskIds"))
            except BadInput:
                pks.append(None)
        outcomes = await review.decide_many(
            actor,
            pks,
            decision,
            note or "",
            rules=info.context.runtime.rules,
            violation=violation,
        )
        return DecideReviewsPayload(
            results=[
                DecideReviewResult(
                    task_id=global_id,
                    ok=outcome.error is None,
                    error_code=outcome.error.code.value if outcome.error else None,
                    task=ReviewTask.from_model(outcome.task) if outcome.task else None,
                )
                for global_id, outcome in zip(given, outcomes, strict=True)
            ]
        )
