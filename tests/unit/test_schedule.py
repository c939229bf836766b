"""The scheduled jobs carry their schedules (the scheduler itself is tested in tests/domain)."""

from __future__ import annotations


def test_the_community_jobs_are_on_the_schedule() -> None:
    from jobs import community

    for job in (
        community.refresh_trending,
        community.refresh_hot,
        community.record_activity,
        community.score_retention,
        community.reconcile_counters,
        community.flush_word_hits,
        community.forget_expired_sign_ins,
    ):
        assert job.labels["schedule"], job.task_name


def test_the_reminder_job_is_on_the_schedule() -> None:
    from jobs import reminders

    assert reminders.remind_events.labels["schedule"] == [{"cron": "*/5 * * * *"}]


def test_the_alert_detectors_run_every_five_minutes_in_the_worker() -> None:
    from jobs import alerts
    from quanzi.worker import JOB_MODULES

    assert alerts.run_alert_checks.labels["schedule"] == [{"cron": "*/5 * * * *"}]
    assert alerts in JOB_MODULES
