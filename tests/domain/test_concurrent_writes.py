"""Many members and staff writing at once about the same few posts, threads and members:
likes, comments and replies, deletions, edits that move topics, answers accepted and voted,
reports that hide, review decisions, a spam wave hidden, follows, views. Whatever order they
interleave in, no write fails but for a reason its author is told (a refusal, a conflict),
none is a deadlock's victim, and every denormalised counter equals what it counts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from adapters import sql
from domain import (
    answers,
    comments,
    follows,
    likes,
    member_record,
    posts,
    reports,
    review,
)
from domain.counters import recount_all
from domain.models import (
    Answer,
    ClientEventKind,
    Comment,
    Post,
    ReportReason,
    ReviewTask,
    Role,
    TargetType,
    User,
)
from domain.publishing import NO_SCREENING
from domain.tracking import ClientEventIn, track_events
from quanzi.bootstrap import Runtime
from tests.concurrency import Action, members_at_work, pick
from tests.factories import RULES, make_answer, make_comment, make_post, make_question, make_user

WORKERS = 8
STEPS = 40  # per worker
TOPICS = ["甲话题", "乙话题", "丙话题", "丁话题"]


async def test_interleaved_writes_neither_deadlock_nor_drift(runtime: Runtime) -> None:
    rng = random.Random(20261129)
    members = [await make_user() for _ in range(6)]
    admin = await make_user(role=Role.ADMIN)
    board = [await make_post(members[i % 3], topics=rng.sample(TOPICS, 2)) for i in range(3)] + [
        await make_question(members[0])
    ]
    for post in board[:3]:
        await make_comment(post, members[1])
    await make_answer(board[3], members[2])
    await make_answer(board[3], members[3])

    def some_post() -> Post:
        return rng.choice(board)

    async def some_comment() -> Comment | None:
        return await pick(rng, Comment, post_id__in=[p.id for p in board])

    async def like(user: User) -> None:
        post = some_post()
        await (likes.like_post if rng.random() < 0.7 else likes.unlike_post)(
            user, post.id, rules=RULES
        )

    async def comment(user: User) -> None:
        post = some_post()
        target = await some_comment() if rng.random() < 0.5 else None
        reply_to = target.id if target is not None and target.post_id == post.id else None  # type: ignore[attr-defined]
        await comments.add_comment(
            user, post.id, "接着说", reply_to_id=reply_to, screener=NO_SCREENING, rules=RULES
        )

    async def delete_comment(user: User) -> None:
        own = await pick(rng, Comment, author_id=user.id, status="PUBLISHED")
        if own is not None:
            await comments.delete_comment(user, own.id)

    async def like_comment(user: User) -> None:
        target = await some_comment()
        if target is not None:
            await likes.like_comment(user, target.id, rules=RULES)

    async def edit_topics(user: User) -> None:
        own = [p for p in board if p.author_id == user.id]  # type: ignore[attr-defined]
        if own:
            await posts.edit_post(
                user, rng.choice(own).id, topics=rng.sample(TOPICS, 2), screener=NO_SCREENING
            )

    async def answer_and_accept(user: User) -> None:
        question = board[3]
        if user.id == question.author_id:  # type: ignore[attr-defined]
            given = await pick(rng, Answer, question_id=question.id)
            if given is not None:
                await answers.accept_answer(user, given.id, rules=RULES)
        else:
            given = await pick(rng, Answer, question_id=question.id)
            if given is not None and rng.random() < 0.6:
                await answers.vote_answer(user, given.id, rng.choice((-1, 0, 1)))
            else:
                await answers.answer_question(
                    user, question.id, "我来答", NO_SCREENING, rules=RULES
                )

    async def report(user: User) -> None:
        if rng.random() < 0.5:
            target = await some_comment()
            if target is None:
                return
            kind, target_id = TargetType.COMMENT, target.id
        else:
            kind, target_id = TargetType.POST, (some_post()).id
        await reports.report_content(
            user, kind, target_id, ReportReason.SPAM, screener=NO_SCREENING, hide_at=2
        )

    async def decide(_: User) -> None:
        task = await pick(rng, ReviewTask, status="OPEN")
        if task is not None:
            choice = rng.choice((review.Decision.APPROVE, review.Decision.REJECT))
            await review.decide(admin, task.id, choice, rules=RULES)

    async def hide_wave(_: User) -> None:
        await member_record.hide_member_content(
            admin, rng.choice(members).id, datetime.now(UTC) - timedelta(hours=1), "刷屏"
        )

    async def follow(user: User) -> None:
        other = rng.choice(members)
        if other.id != user.id:
            await (follows.follow_user if rng.random() < 0.6 else follows.unfollow_user)(
                user, other.id
            )

    async def view(user: User) -> None:
        seen = rng.sample(board, 3)
        await track_events(user, [ClientEventIn(ClientEventKind.VIEW, post_id=p.id) for p in seen])

    actions: list[tuple[Action, int]] = [
        (like, 6),
        (comment, 5),
        (delete_comment, 2),
        (like_comment, 3),
        (edit_topics, 3),
        (answer_and_accept, 3),
        (report, 2),
        (decide, 2),
        (hide_wave, 1),
        (follow, 3),
        (view, 3),
    ]
    failures = await members_at_work(runtime, rng, actions, members, workers=WORKERS, steps=STEPS)
    assert failures == []
    repaired = await recount_all()
    assert {table: n for table, n in repaired.items() if n} == {}
    # A member's points are the sum of their ledger.
    drifted = await sql.fetch(
        "SELECT u.id FROM users u WHERE u.points <> "
        "(SELECT COALESCE(sum(amount), 0) FROM points_entries e WHERE e.user_id = u.id)"
    )
    assert drifted == []
