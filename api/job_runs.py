"""The scheduled jobs and how each last ran (operators)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from domain import access, job_runs

JobOutcome = strawberry.enum(job_runs.JobOutcome, name="JobOutcome")


@strawberry.type(description="A job on the schedule and its last run (null ones: not yet run).")
class JobRun:
    name: str = strawberry.field(description="The job's name on the queue (quanzi.…).")
    schedule: str = strawberry.field(description="When it runs: a cron line, in UTC.")
    last_run_at: datetime | None = strawberry.field(description="When its last run started.")
    duration_seconds: float | None
    outcome: JobOutcome | None  # type: ignore[valid-type]
    error: str | None = strawberry.field(description="What failed, when the last run did.")
    run_count: int = strawberry.field(description="Runs recorded since it first ran.")


@strawberry.type
class JobRunsQuery:
    @strawberry.field(description="Every scheduled job with its last run (operators).")
    async def job_runs(self, info: Info[Context, None]) -> list[JobRun]:
        await info.context.require(access.can_read_operations)
        from jobs.registry import scheduled_jobs

        statuses = await job_runs.job_statuses(scheduled_jobs())
        return [
            JobRun(
                name=s.name,
                schedule=s.schedule,
                last_run_at=s.last_run.last_run_at if s.last_run else None,
                duration_seconds=s.last_run.duration_seconds if s.last_run else None,
                outcome=job_runs.JobOutcome(s.last_run.outcome) if s.last_run else None,
                error=(s.last_run.error or None) if s.last_run else None,
                run_count=s.last_run.run_count if s.last_run else 0,
            )
            for s in statuses
        ]
