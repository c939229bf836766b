"""The scheduled jobs' last runs: each run of a scheduled job leaves its start, duration and
outcome in one row per job (the worker writes it as the run ends, jobs/broker.py), for the
console's list of jobs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from adapters import sql
from domain.models import JobRun

ERROR_MAX = 500


class JobOutcome(StrEnum):
    OK = "OK"
    ERROR = "ERROR"


async def record(
    name: str, started_at: datetime, seconds: float, outcome: JobOutcome, error: str = ""
) -> None:
    """Keep a run of the job `name` as its last one."""
    await sql.fetch(
        "INSERT INTO job_runs (name, last_run_at, duration_seconds, outcome, error, run_count) "
        "VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (name) DO UPDATE SET "
        "last_run_at = EXCLUDED.last_run_at, duration_seconds = EXCLUDED.duration_seconds, "
        "outcome = EXCLUDED.outcome, error = EXCLUDED.error, "
        "run_count = job_runs.run_count + 1 RETURNING name",
        name,
        started_at,
        max(0.0, seconds),
        outcome.value,
        error[:ERROR_MAX],
    )


@dataclass(frozen=True)
class JobStatus:
    name: str
    schedule: str
    last_run: JobRun | None


async def job_statuses(schedule: Sequence[tuple[str, str]]) -> list[JobStatus]:
    """One entry per scheduled job (name, cron) in the order given, with its last run (None
    when it has not run yet)."""
    names = [name for name, _ in schedule]
    runs = {run.name: run for run in await JobRun.filter(name__in=names)}
    return [JobStatus(name, cron, runs.get(name)) for name, cron in schedule]
