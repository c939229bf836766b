"""Each detector over real data: the counts it reads and the alert it opens or resolves, at a
fixed number of queries whatever the volume."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from adapters import sql
from domain import alert_checks, feedback
from domain.models import (
    Alert,
    AlertKind,
    AlertStatus,
    FeedbackCategory,
    FeedbackStatus,
    Role,
    User,
)
from tests.factories import RULES, make_feedback, make_post, make_review_task, make_user

CALENDAR = RULES.calendar


async def _open_kinds() -> list[str]:
    return sorted(
        a.kind for a in await Alert.filter(status__not=AlertStatus.RESOLVED).order_by("kind")
    )


async def _members(count: int, *, joined_days_ago: int = 60) -> list[User]:
    users = [await make_user() for _ in range(count)]
    await User.filter(id__in=[u.id for u in users]).update(
        created_at=datetime.now(UTC) - timedelta(days=joined_days_ago)
    )
    return users


async def _active(users: list[User], day: object) -> None:
    await sql.fetch(
        "INSERT INTO member_activity (user_id, day) SELECT u, $2 FROM unnest($1::bigint[]) u",
        [u.id for u in users],
        day,
    )


async def test_a_closed_day_far_below_its_weekday_opens_a_dau_drop(runtime: object) -> None:
    members = await _members(30)
    yesterday = CALENDAR.today() - timedelta(days=1)
    for weeks in range(1, 5):
        await _active(members, yesterday - timedelta(weeks=weeks))
    await _active(members[:10], yesterday)
    await _active(members, yesterday - timedelta(days=1))  # another weekday: not compared
    run = await alert_checks.run_checks(RULES)
    [alert] = run.opened
    assert (alert.kind, alert.value, alert.baseline) == (AlertKind.DAU_DROP, 10.0, 30.0)
    assert alert.detail == {"day": yesterday.isoformat(), "ratio": 0.3333}
    # A smaller community (baseline under 20) is not alarmed by the same drop.
    await sql.execute(
        "DELETE FROM member_activity WHERE user_id = ANY($1::bigint[])",
        [m.id for m in members[15:]],
    )
    assert (await alert_checks.run_checks(RULES)).resolved == [alert.id]


async def test_a_wave_of_sign_ups_that_do_not_post_opens_a_signup_spike(runtime: object) -> None:
    today = CALENDAR.today()
    for days_ago in range(1, 15):  # two new members a day, one posting on their first day
        joined = CALENDAR.start_of(today - timedelta(days=days_ago)) + timedelta(hours=10)
        poster, lurker = await make_user(), await make_user()
        post = await make_post(poster, "大家好")
        await User.filter(id__in=[poster.id, lurker.id]).update(created_at=joined)
        await sql.execute(
            "UPDATE posts SET created_at = $2 WHERE id = $1", post.id, joined + timedelta(hours=1)
        )
    wave = [await make_user() for _ in range(21)]
    await make_post(wave[0], "我也来了")
    [alert] = (await alert_checks.run_checks(RULES)).opened
    assert (alert.kind, alert.value, alert.baseline) == (AlertKind.SIGNUP_SPIKE, 21.0, 2.0)
    assert alert.detail == {"rate": round(1 / 21, 4), "usualRate": 0.5}
    # When most of today's new members post too, it was a good day after all.
    for user in wave[1:15]:
        await make_post(user, "我也来了")
    assert (await alert_checks.run_checks(RULES)).resolved == [alert.id]


async def test_overdue_review_tasks_and_feedback_open_their_backlogs(runtime: object) -> None:
    author = await make_user()
    task = await make_review_task(await make_post(author, "待审"))
    await make_review_task(await make_post(author, "刚进来的"))
    await sql.execute(
        "UPDATE review_tasks SET stage_entered_at = now() - interval '3 hours' WHERE id = $1",
        task.id,
    )
    ticket = await make_feedback(author)
    await sql.execute(
        "UPDATE feedback SET created_at = now() - interval '30 hours' WHERE id = $1", ticket.id
    )
    await make_feedback(author, "刚提交的")  # not due yet
    run = await alert_checks.run_checks(RULES)
    review, desk = sorted(run.opened, key=lambda a: a.kind != AlertKind.REVIEW_BACKLOG)
    assert (review.kind, review.value, review.detail["stage"]) == (
        AlertKind.REVIEW_BACKLOG,
        1.0,
        "FIRST",
    )
    assert review.detail["hours"] == pytest.approx(3.0, abs=0.1)
    assert (desk.kind, desk.value, desk.detail["sla"]) == (AlertKind.FEEDBACK_BACKLOG, 1.0, 24)
    # Answering the ticket clears its backlog on the next run; the task still waits.
    operator = await make_user(role=Role.OPERATOR)
    await feedback.reply(operator, ticket.id, "收到", FeedbackStatus.IN_PROGRESS)
    run = await alert_checks.run_checks(RULES)
    assert run.resolved == [desk.id] and run.opened == []
    assert await _open_kinds() == ["REVIEW_BACKLOG"]


async def test_a_day_of_complaints_opens_a_negative_feedback_spike(runtime: object) -> None:
    member = await make_user()
    for i in range(4):
        await make_feedback(member, f"投诉 {i}", category=FeedbackCategory.COMPLAINT)
    await make_feedback(member, "建议", category=FeedbackCategory.SUGGESTION)
    assert (await alert_checks.run_checks(RULES)).opened == []  # 4 is under the minimum
    await make_feedback(member, "又一条投诉", category=FeedbackCategory.COMPLAINT)
    [alert] = (await alert_checks.run_checks(RULES)).opened
    assert (alert.kind, alert.value, alert.baseline) == (
        AlertKind.NEGATIVE_FEEDBACK_SPIKE,
        5.0,
        0.0,
    )


async def _queries_of_a_run(caplog: pytest.LogCaptureFixture) -> int:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        await alert_checks.run_checks(RULES)
    return len([r for r in caplog.records if r.name == "tortoise.db_client"])


async def test_a_run_costs_the_same_queries_whatever_the_volume(
    runtime: object, caplog: pytest.LogCaptureFixture
) -> None:
    quiet = await _queries_of_a_run(caplog)
    members = await _members(40)
    await _active(members, CALENDAR.today() - timedelta(days=1))
    author = members[0]
    for i in range(20):
        post = await make_post(author, f"帖子 {i}")
        await make_review_task(post)
        await make_feedback(author, f"反馈 {i}", category=FeedbackCategory.COMPLAINT)
    assert await _queries_of_a_run(caplog) <= quiet + 2  # + reading the alerts it opened
