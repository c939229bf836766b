"""Two writes at once about the same thing: the second sees what the first did, and loses
with a reason it can tell its user, not a database error."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from adapters import sql
from domain import events, points
from domain.answers import accept_answer
from domain.collections import move_in_collection
from domain.counters import recount_all
from domain.errors import NotFound
from domain.featured import add_to_collection, feature_post
from domain.models import PointsEntry, PointsReason, Post, Role, SanctionKind, User, WordLevel
from domain.sanctions import lift_sanction, sanction_user
from domain.screening import add_words
from domain.word_hits import flush_hits, record_hits
from quanzi.bootstrap import Runtime
from tests.conftest import _asyncpg_dsn
from tests.factories import (
    RULES,
    grant_points,
    make_answer,
    make_collection,
    make_event,
    make_operator,
    make_post,
    make_question,
    make_user,
)
from tests.locks import row_held, until_waiting, waits_first_for


@pytest.mark.parametrize("change", ["add", "move"])
async def test_changing_a_collection_being_deleted_says_it_is_gone(
    runtime: object, database_url: str, change: str
) -> None:
    """Found before the deletion commits, gone when the change would write it: NOT_FOUND,
    not a foreign key's violation (adding a post), nor a deadlock with the deletion's cascade
    (moving one: each takes the items in its own order). Both share the collection's row
    first."""
    operator = await make_operator()
    first, second = await make_post(), await make_post()
    collection = await make_collection(operator, posts=[first])
    deleter = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        async with deleter.transaction():
            await deleter.execute("DELETE FROM collections WHERE id = $1", collection.id)
            changing = asyncio.ensure_future(
                add_to_collection(operator, collection.id, second.id)
                if change == "add"
                else move_in_collection(operator, collection.id, first.id, 0)
            )
            await until_waiting(deleter)
    finally:
        await deleter.close()
    with pytest.raises(NotFound):
        await asyncio.wait_for(changing, 10)


async def test_two_sanctions_lifted_at_once_leave_the_member_free(
    runtime: object, database_url: str
) -> None:
    """Each lift recomputes what remains of the member's other sanctions; the second must do
    it once the first is in, or it keeps the first's end."""
    moderator = await make_user(role=Role.MODERATOR)
    member = await make_user()
    first = await sanction_user(moderator, member.id, SanctionKind.MUTE, 24, "刷屏")
    second = await sanction_user(moderator, member.id, SanctionKind.MUTE, 48, "广告")
    async with row_held(_asyncpg_dsn(database_url), "users", member.id) as holder:
        lifting = asyncio.gather(
            lift_sanction(moderator, first.id), lift_sanction(moderator, second.id)
        )
        await until_waiting(holder, statements=2)
    await asyncio.wait_for(lifting, 10)
    assert (await User.get(id=member.id)).muted_until is None


async def test_a_recount_keeps_what_a_member_earns_while_it_waits(
    runtime: object, database_url: str
) -> None:
    """A member's points drifted (a manual fix); the nightly recount reaches their row while
    an award to them is under way. It must count the award once it is in, not write back
    the sum it read before: the member keeps what they earned."""
    member = await make_user()
    await grant_points(member, 10, "seed")
    await User.filter(id=member.id).update(points=999)  # drifted
    awarded, release = asyncio.Event(), asyncio.Event()

    async def award_under_way() -> None:
        async with in_transaction() as conn:
            await points.award(member.id, 5, PointsReason.FEATURED, "late", conn, rules=RULES)
            awarded.set()
            await release.wait()

    awarding = asyncio.ensure_future(award_under_way())
    await awarded.wait()
    watcher = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        recounting = asyncio.ensure_future(recount_all())
        await until_waiting(watcher)  # the recount waits for the member's row
        release.set()
        await asyncio.wait_for(awarding, 10)
        await asyncio.wait_for(recounting, 10)
    finally:
        await watcher.close()
    assert (await User.get(id=member.id)).points == 15


async def test_a_check_in_pays_the_reward_the_event_offers_when_it_is_counted(
    runtime: Runtime, database_url: str
) -> None:
    """The organiser sets the reward to nothing while a member checks in: the member is paid
    what the event offers once their check-in is counted, not what it offered before."""
    member = await make_user()
    event = await make_event(
        starts_in=timedelta(minutes=-5),
        points_reward=50,
        signup_deadline=datetime.now(UTC) + timedelta(hours=1),
        signed_up=[member],
    )
    now = datetime.now(UTC)
    code = events.checkin_code(event, now)
    organiser = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        async with organiser.transaction():
            await organiser.execute("UPDATE events SET points_reward = 0 WHERE id = $1", event.id)
            checking = asyncio.ensure_future(
                events.check_in(member, event.id, code, now=now, rules=RULES, store=runtime.store)
            )
            await until_waiting(organiser)
    finally:
        await organiser.close()
    await asyncio.wait_for(checking, 10)
    assert (await User.get(id=member.id)).points == 0


async def test_an_answer_hidden_while_it_is_accepted_is_not_accepted(
    runtime: object, database_url: str
) -> None:
    """Hiding takes the question, then the answer; an acceptance that read the answer as
    published before must read it again once it holds both: nothing is accepted or paid."""
    asker = await make_user()
    question = await make_question(asker)
    answer = await make_answer(question)
    hider = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        async with hider.transaction():
            await hider.execute("SELECT 1 FROM posts WHERE id = $1 FOR NO KEY UPDATE", question.id)
            await hider.execute("UPDATE answers SET status = 'HIDDEN' WHERE id = $1", answer.id)
            accepting = asyncio.ensure_future(accept_answer(asker, answer.id, rules=RULES))
            await until_waiting(hider)
    finally:
        await hider.close()
    with pytest.raises(NotFound):
        await asyncio.wait_for(accepting, 10)
    assert (await Post.get(id=question.id)).accepted_answer_id is None


async def test_flushing_word_hits_locks_the_words_in_one_order(
    runtime: Runtime, database_url: str
) -> None:
    """An operator adds words in code-point order; the flush of their hits takes them in it
    too, whatever order Redis hands them back in."""
    operator = await make_operator()
    await add_words(operator, runtime.store, ["乙词", "甲词"], WordLevel.REVIEW)
    await record_hits(runtime.store, ["乙词", "甲词"])
    rows = await sql.fetch(
        "SELECT id, word FROM sensitive_words WHERE word = ANY($1::text[])", ["甲词", "乙词"]
    )
    ids = {row["word"]: row["id"] for row in rows}
    first, last = sorted(ids)
    await waits_first_for(
        _asyncpg_dsn(database_url),
        flush_hits(runtime.store),
        held=("sensitive_words", ids[first]),
        free=[("sensitive_words", ids[last])],
    )


async def test_a_post_deleted_while_it_is_featured_is_not_featured_nor_paid(
    runtime: object, database_url: str
) -> None:
    """Featuring pays the author: a deletion under way is waited for, then the feature is
    refused, rather than read as published before it commits (found by
    test_concurrent_writes_more.py in a fresh-clone CI run)."""
    operator, author = await make_operator(), await make_user()
    post = await make_post(author)
    deleter = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        async with deleter.transaction():
            await deleter.execute(
                "UPDATE posts SET status = 'DELETED', deleted_at = now() WHERE id = $1", post.id
            )
            featuring = asyncio.ensure_future(feature_post(operator, post.id, rules=RULES))
            try:
                await until_waiting(deleter)
            except BaseException:
                featuring.cancel()
                raise
    finally:
        await deleter.close()
    with pytest.raises(NotFound):
        await asyncio.wait_for(featuring, 10)
    assert (await Post.get(id=post.id)).featured_at is None
    assert not await PointsEntry.filter(user_id=author.id, reason=PointsReason.FEATURED).exists()
