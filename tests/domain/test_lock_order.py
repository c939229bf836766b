"""Writers take rows in one order (domain/content_status.py): two transactions must never each
hold a row the other waits for. Each test holds the row a write must take first and finds
that the write, while it waits for it, holds none of the rows it takes later; a write taking
them in another order deadlocks against one taking them in this one."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from adapters import sql
from domain.circles import set_circle_admin
from domain.comments import delete_comment
from domain.counters import recount_all
from domain.errors import TryAgain
from domain.member_record import hide_member_content
from domain.models import (
    ClientEventKind,
    Comment,
    Post,
    PostStatus,
    ReportReason,
    ReviewTask,
    Role,
    TargetType,
    Topic,
    User,
)
from domain.posts import edit_post
from domain.publishing import NO_SCREENING
from domain.reports import report_content
from domain.review import Decision, decide, decide_many
from domain.roles import set_user_role
from domain.tracking import ClientEventIn, track_events
from tests.conftest import _asyncpg_dsn
from tests.factories import (
    RULES,
    make_answer,
    make_circle,
    make_comment,
    make_operator,
    make_post,
    make_question,
    make_review_task,
    make_topic,
    make_user,
)
from tests.locks import lockable, row_held, until_waiting, waits_first_for


@pytest.fixture
def dsn(database_url: str) -> str:
    return _asyncpg_dsn(database_url)


async def test_deleting_a_root_comment_takes_its_post_before_its_thread(
    runtime: object, dsn: str
) -> None:
    """A reply in the thread takes the post, then the root (its reply count): deleting the
    root must not hold the root while it waits for the post."""
    author = await make_user()
    post = await make_post()
    root = await make_comment(post, author)
    reply = await make_comment(post, reply_to=root)
    await waits_first_for(
        dsn,
        delete_comment(author, root.id),
        held=("posts", post.id),
        free=[("comments", root.id), ("comments", reply.id)],
    )
    statuses = await Comment.filter(id__in=[root.id, reply.id]).values_list("status", flat=True)
    assert set(statuses) == {"DELETED"}
    assert (await Post.get(id=post.id)).comment_count == 0


async def test_hiding_an_answer_takes_its_question_first(runtime: object, dsn: str) -> None:
    """Accepting an answer takes the question, then the answer; enough reports hide it, and
    the hiding must not hold the answer while it waits for the question."""
    question = await make_question()
    answer = await make_answer(question)
    await waits_first_for(
        dsn,
        report_content(
            await make_user(),
            TargetType.ANSWER,
            answer.id,
            ReportReason.SPAM,
            screener=NO_SCREENING,
            hide_at=1,
        ),
        held=("posts", question.id),
        free=[("answers", answer.id)],
    )
    assert (await Post.get(id=question.id)).answer_count == 0


async def test_a_review_decision_takes_the_content_before_its_task(
    runtime: object, dsn: str
) -> None:
    """Editing a post (or reporting it) takes the post, then its open task: deciding the
    task must not hold the task while it waits for the post."""
    post = await make_post(status=PostStatus.PENDING_REVIEW)
    task = await make_review_task(post)
    reviewer = await make_operator()
    await waits_first_for(
        dsn,
        decide(reviewer, task.id, Decision.APPROVE, rules=RULES),
        held=("posts", post.id),
        free=[("review_tasks", task.id)],
    )
    assert (await ReviewTask.get(id=task.id)).status == "APPROVED"
    assert (await Post.get(id=post.id)).status == PostStatus.PUBLISHED


async def test_hiding_a_members_content_locks_it_all_before_any_counter(
    runtime: object, dsn: str
) -> None:
    """Item by item, the member's row (counting their posts) was held from the first item
    on while a later item's post was waited for, and a like on that post takes the post,
    then the member's row."""
    member = await make_user()
    older, newer = await make_post(member, topics=["旧帖话题"]), await make_post(member)
    comment = await make_comment(older, member)
    topic = await Topic.get(name="旧帖话题")
    hidden = await waits_first_for(
        dsn,
        hide_member_content(
            await make_user(role=Role.ADMIN),
            member.id,
            datetime.now(UTC) - timedelta(hours=1),
            "广告",
        ),
        held=("posts", older.id),
        free=[
            ("posts", newer.id),
            ("comments", comment.id),
            ("users", member.id),
            ("topics", topic.id),
        ],
    )
    assert hidden == 3
    assert (await User.get(id=member.id)).post_count == 0
    assert (await Topic.get(id=topic.id)).post_count == 0
    assert (await Post.get(id=older.id)).comment_count == 0


async def test_moving_a_post_between_topics_locks_them_in_id_order(
    runtime: object, dsn: str
) -> None:
    """The topics left and the topics joined move in one statement, lowest id first: not
    the left ones, then the joined ones."""
    joined, left = await make_topic("先有的话题"), await make_topic("后来的话题")
    author = await make_user()
    post = await make_post(author, topics=[left.name])
    await waits_first_for(
        dsn,
        edit_post(author, post.id, topics=[joined.name], screener=NO_SCREENING),
        held=("topics", joined.id),
        free=[("topics", left.id)],
    )
    counts = await Topic.filter(id__in=[joined.id, left.id]).order_by("id")
    assert [t.post_count for t in counts] == [1, 0]


async def test_views_of_several_posts_are_counted_in_id_order(runtime: object, dsn: str) -> None:
    first, second = await make_post(), await make_post()
    await Post.filter(id=first.id).update(title="改过")  # now after `second` in its page
    viewer = await make_user()
    views = [ClientEventIn(ClientEventKind.VIEW, post_id=p.id) for p in (second, first)]
    await waits_first_for(
        dsn,
        track_events(viewer, views),
        held=("posts", first.id),
        free=[("posts", second.id)],
    )
    counts = await Post.filter(id__in=[first.id, second.id]).values_list("view_count", flat=True)
    assert counts == [1, 1]


async def test_a_role_change_takes_its_target_in_id_order_with_the_admins(
    runtime: object, dsn: str
) -> None:
    target = await make_user()
    admin = await make_user(role=Role.ADMIN)
    await waits_first_for(
        dsn,
        set_user_role(admin, target.id, Role.OPERATOR),
        held=("users", target.id),
        free=[("users", admin.id)],
    )
    assert (await User.get(id=target.id)).role == Role.OPERATOR


async def test_an_invitees_first_post_takes_the_inviters_row_with_theirs(
    runtime: object, dsn: str
) -> None:
    """Publishing it pays the inviter after the author; a follow between the two takes both
    rows in id order: so does the post, before writing either."""
    inviter = await make_user()
    invitee = await make_user(invited_by_id=inviter.id)
    await waits_first_for(
        dsn, make_post(invitee), held=("users", inviter.id), free=[("users", invitee.id)]
    )
    assert (await User.get(id=inviter.id)).points == RULES.invite


async def test_a_deadlocked_decision_among_several_is_that_tasks_outcome(
    runtime: object, dsn: str
) -> None:
    """Deciding several tasks decides each in its own transaction: the one PostgreSQL rolls
    back as a deadlock's victim is told to try again, and the others' decisions stand."""
    first, second = (
        await make_post(status=PostStatus.PENDING_REVIEW),
        await make_post(status=PostStatus.PENDING_REVIEW),
    )
    tasks = [await make_review_task(first), await make_review_task(second)]
    other = await asyncpg.connect(dsn)
    try:
        await other.execute("SET deadlock_timeout = '20s'")  # the decision finds the deadlock
        async with other.transaction():
            await other.execute(
                "SELECT 1 FROM review_tasks WHERE id = $1 FOR NO KEY UPDATE", tasks[0].id
            )
            deciding = asyncio.ensure_future(
                decide_many(
                    await make_operator(), [t.id for t in tasks], Decision.APPROVE, rules=RULES
                )
            )
            await until_waiting(other)  # holding the post, waiting for its task
            await other.execute("SELECT 1 FROM posts WHERE id = $1 FOR NO KEY UPDATE", first.id)
        outcomes = await asyncio.wait_for(deciding, 20)
    finally:
        await other.close()
    assert isinstance(outcomes[0].error, TryAgain)
    assert outcomes[1].error is None
    statuses = await Post.filter(id__in=[first.id, second.id]).order_by("id")
    assert [p.status for p in statuses] == [PostStatus.PENDING_REVIEW, PostStatus.PUBLISHED]


async def test_an_invitees_later_posts_leave_the_inviters_row_alone(runtime: object) -> None:
    """The invitation is paid on the invitee's first post; later posts find it paid without
    locking the inviter's row, which a follow between the two takes before the invitee's."""
    inviter = await make_user()
    invitee = await make_user(invited_by_id=inviter.id)
    await make_post(invitee)
    paid = (await User.get(id=inviter.id)).points
    async with row_held(_asyncpg_dsn(runtime.settings.database_url), "users", inviter.id):  # type: ignore[attr-defined]
        await asyncio.wait_for(make_post(invitee), 5)
    assert (await User.get(id=inviter.id)).points == paid


async def test_a_recount_chosen_as_a_deadlocks_victim_runs_again(runtime: object, dsn: str) -> None:
    """A recount locks the rows it repairs in its plan's order, beside members' writes that
    lock them in theirs; when PostgreSQL ends the deadlock by failing the recount, the
    recount runs again and repairs every row."""
    posts = [(await make_post()).id, (await make_post()).id]
    writer = await asyncpg.connect(dsn)
    try:
        # The writer's wait outlasts the recount's: the recount finds the deadlock, and
        # PostgreSQL fails the one that finds it.
        await writer.execute("SET deadlock_timeout = '20s'")
        for held, other in (posts, posts[::-1]):  # one of them the recount takes second
            await Post.filter(id__in=posts).update(like_count=5)
            writing = writer.transaction()
            await writing.start()
            await writer.execute("UPDATE posts SET title = 'w' WHERE id = $1", held)
            recounting = asyncio.ensure_future(recount_all())
            await until_waiting(writer)
            deadlocked = not await lockable(dsn, "posts", other)  # the recount holds it
            if deadlocked:
                await writer.execute("UPDATE posts SET title = 'w' WHERE id = $1", other)
            await writing.commit()
            repaired = await asyncio.wait_for(recounting, 20)
            assert repaired["posts"] == 2
            if deadlocked:
                break
        else:
            pytest.fail("the recount took neither row second")
    finally:
        await writer.close()
    assert await Post.filter(id__in=posts).values_list("like_count", flat=True) == [0, 0]


async def test_bumps_of_several_rows_beside_key_sharers_never_deadlock(
    runtime: object, dsn: str
) -> None:
    """Eight writers for three seconds on two topics: bumps of both, transactions filing
    rows under them (a foreign key's check takes the row's key share) and transactions
    writing them. A bump locks its rows by a statement of its own before it moves them: an
    UPDATE locking them in a subquery of its own read them as of its start, and reaching a
    newer version it had itself locked waited, holding it, behind others that waited for
    it (deadlocks in every run of this test before)."""
    topics = [(await make_topic()).id, (await make_topic()).id]
    bumped = deadlocks = 0
    loop = asyncio.get_running_loop()
    end = loop.time() + 3

    async def writer(seed: int) -> None:
        nonlocal bumped, deadlocks
        rng = random.Random(seed)
        conn = await asyncpg.connect(dsn)
        try:
            while loop.time() < end:
                pick = rng.random()
                try:
                    if pick < 0.5:
                        async with in_transaction() as tx:
                            await sql.bump("topics", "post_count", topics, +1, conn=tx)
                        bumped += 1
                    elif pick < 0.75:
                        async with conn.transaction():
                            for topic in rng.sample(topics, 2):
                                await conn.execute(
                                    "SELECT 1 FROM topics WHERE id = $1 FOR KEY SHARE", topic
                                )
                                await asyncio.sleep(0.001)
                    else:
                        async with conn.transaction():
                            await conn.execute(
                                "UPDATE topics SET description = 'w' WHERE id = $1",
                                rng.choice(topics),
                            )
                except asyncpg.exceptions.DeadlockDetectedError:
                    deadlocks += 1
        finally:
            await conn.close()

    await asyncio.gather(*(writer(seed) for seed in range(8)))
    assert deadlocks == 0
    counts = await Topic.filter(id__in=topics).values_list("post_count", flat=True)
    assert counts == [bumped, bumped]


async def test_appointing_a_circle_admin_takes_the_members_row_before_the_circles(
    runtime: object, dsn: str
) -> None:
    """Publishing a post in a circle takes its author's row, then the circle's (their post
    counts); the appointment reads the ban under the member's row, and must take that row
    first too."""
    member = await make_user()
    circle = await make_circle(members=[member])
    await waits_first_for(
        dsn,
        set_circle_admin(await make_operator(), circle.id, member.id, True),
        held=("users", member.id),
        free=[("circles", circle.id)],
    )
