"""The same write twice at once: two runs of a job (the schedule's and an operator's), two
devices of one member. Each takes its rows in one order (key order), so that the second
waits for the first rather than each holding a row the other waits for; each test holds the
row the write takes first and finds the write, while it waits, holding none of the others."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from adapters import sql
from domain import analytics, notifications, retention
from domain.models import Notification, RecommenderModel, User
from quanzi.bootstrap import Runtime
from recommend import registry
from tests.conftest import _asyncpg_dsn
from tests.factories import RULES, make_notification, make_user
from tests.locks import held, until_waiting, waits_first_for, would_wait


@pytest.fixture
def dsn(database_url: str, runtime: Runtime) -> str:
    """The database's address, with the service's connections open (the runtime)."""
    return _asyncpg_dsn(database_url)


@pytest.mark.parametrize("which", ["all", "some"])
async def test_marking_notifications_read_takes_them_in_id_order(dsn: str, which: str) -> None:
    """A member marking everything read on one device while another marks what it shows.
    The first notification was updated since it was written (a like grouped into it), so a
    statement that scans the table meets its new version after the others."""
    member = await make_user()
    ids = [(await make_notification(member)).id for _ in range(3)]
    await sql.execute(  # as a like grouped into it moves it up the inbox
        "UPDATE notifications SET updated_at = now() WHERE id = $1", ids[0]
    )
    await waits_first_for(
        dsn,
        notifications.mark_read(member.id, None if which == "all" else ids, which == "all"),
        ("notifications", ids[0]),
        [("notifications", i) for i in ids[1:]],
    )
    assert await Notification.filter(id__in=ids, read=False).count() == 0
    await member.refresh_from_db()
    assert member.unread_notification_count == 0


async def test_marking_read_locks_none_of_another_members_notifications(dsn: str) -> None:
    member, other = await make_user(), await make_user()
    theirs = await make_notification(other)
    await notifications.mark_read(member.id, [theirs.id], False)
    assert not (await Notification.get(id=theirs.id)).read


async def test_scoring_retention_upserts_members_in_id_order(dsn: str) -> None:
    """The nightly scoring and an operator's refresh of the signals at once."""
    members = sorted([(await make_user()).id for _ in range(4)])
    await retention.score_members(RULES.calendar)
    first, *rest = members
    async with held(
        dsn, "SELECT 1 FROM member_signals WHERE user_id = $1 FOR UPDATE", first
    ) as holder:
        scoring = asyncio.ensure_future(retention.score_members(RULES.calendar))
        try:
            await until_waiting(holder)
            for member in rest:
                assert not await would_wait(
                    dsn, "SELECT 1 FROM member_signals WHERE user_id = $1 FOR UPDATE", member
                ), f"member {member}'s signal held while waiting for member {first}'s"
        except BaseException:
            scoring.cancel()
            raise
    assert sum((await asyncio.wait_for(scoring, 10)).values()) >= len(members)


_UNIQUE_USER_COLUMNS = {"id", "openid", "unionid", "invite_code"}


async def test_flushing_activity_inserts_members_in_id_order(runtime: Runtime, dsn: str) -> None:
    """Two flushes of the day's marks at once (a run still going at the next tick). Past 512
    members Redis keeps a set as a hash table, whose order is not the members'."""
    store, calendar = runtime.store, runtime.rules.calendar
    template = await make_user()
    copied = [c for c in sql.columns(User).split(", ") if c not in _UNIQUE_USER_COLUMNS]
    rows = await sql.fetch(
        f"INSERT INTO users (openid, invite_code, {', '.join(copied)}) "
        f"SELECT 'o-flush-' || g, 'flush' || g, {', '.join(copied)} FROM users, "
        "generate_series(1, 600) g WHERE users.id = $1 RETURNING id",
        template.id,
    )
    members = sorted(row["id"] for row in rows)
    today = calendar.today()
    # The day's marks as mark_active leaves them (which marks a member once per process).
    await store.redis.sadd(analytics._active_key(store, today), *members)
    insert = "INSERT INTO member_activity (user_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    async with held(dsn, insert, members[0], today) as holder:
        flushing = asyncio.ensure_future(analytics.flush_activity(store, calendar, days_back=0))
        try:
            await until_waiting(holder)
            taken = [m for m in members[1:50] if await would_wait(dsn, insert, m, today)]
            assert not taken, f"inserted while waiting for member {members[0]}: {taken}"
        except BaseException:
            flushing.cancel()
            raise
    await asyncio.wait_for(flushing, 10)
    flushed = await sql.fetch(
        "SELECT count(*) AS n FROM member_activity WHERE day = $1 AND user_id = ANY($2::bigint[])",
        today,
        members,
    )
    assert flushed[0]["n"] == len(members)


async def test_two_models_published_at_once_leave_one_serving(dsn: str) -> None:
    """The nightly training and an operator's retraining publishing together: the second
    unsets the first's new model once it is in, rather than leave both serving."""

    async def model(version: str, current: bool = False) -> RecommenderModel:
        return await RecommenderModel.create(
            version=version, path="", interactions=0, users=0, items=0, current=current
        )

    await model("m-serving", current=True)
    second = await model("m-second")

    async def serve_second() -> None:
        async with in_transaction() as conn:
            await registry.serve_model(second.id, conn)

    first = await asyncpg.connect(dsn)
    try:
        async with first.transaction():  # as train_and_register publishes its new model
            first_id = await first.fetchval(
                "INSERT INTO recommender_models (version, path, trained_at, interactions, "
                "users, items, metrics, baseline, published, current, seconds) VALUES "
                "('m-first', '', now(), 0, 0, 0, '{}', '{}', true, false, 0) RETURNING id"
            )
            await first.execute("SELECT pg_advisory_xact_lock($1)", registry.SERVING_LOCK)
            await first.execute("UPDATE recommender_models SET current = false WHERE current")
            await first.execute(
                "UPDATE recommender_models SET current = true WHERE id = $1", first_id
            )
            serving = asyncio.ensure_future(serve_second())
            try:
                await until_waiting(first)
            except BaseException:
                serving.cancel()
                raise
    finally:
        await first.close()
    await asyncio.wait_for(serving, 10)
    current = await RecommenderModel.filter(current=True).values_list("id", flat=True)
    assert current == [second.id]
