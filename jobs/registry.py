"""Every job module, imported so that taskiq knows each job by name (and the scheduler their
schedules), and the list of scheduled jobs the console shows."""

from __future__ import annotations

from taskiq.brokers.shared_broker import async_shared_broker

from jobs import alerts, community, messages, publishing, recommender, reminders

JOB_MODULES = (alerts, community, messages, publishing, recommender, reminders)


def scheduled_jobs() -> list[tuple[str, str]]:
    """(name, cron) of every job on the schedule, by name."""
    jobs = []
    for name, job in async_shared_broker.get_all_tasks().items():
        crons = [s["cron"] for s in job.labels.get("schedule", []) if "cron" in s]
        if crons:
            jobs.append((name, ", ".join(crons)))
    return sorted(jobs)


def is_scheduled(name: str) -> bool:
    job = async_shared_broker.find_task(name)
    return job is not None and bool(job.labels.get("schedule"))
