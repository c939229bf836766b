"""Recounting repairs every denormalised counter from its rows."""

from __future__ import annotations

import asyncio

import asyncpg
from tortoise.transactions import in_transaction

from adapters import sql
from domain.comments import add_comment
from domain.counters import recount_all
from domain.follows import follow_user
from domain.likes import like_comment, like_post
from domain.models import Comment, Post, Topic, User
from domain.publishing import NO_SCREENING
from tests.conftest import _asyncpg_dsn
from tests.factories import RULES, make_post, make_user


async def test_recount_restores_counters_that_drifted(runtime: object) -> None:
    author, fan = await make_user(), await make_user()
    post = await make_post(author, "原帖 #话题#")
    comment = await add_comment(fan, post.id, "评论", screener=NO_SCREENING, rules=RULES)
    await add_comment(
        author, post.id, "回复", reply_to_id=comment.id, screener=NO_SCREENING, rules=RULES
    )
    await like_post(fan, post.id, rules=RULES)
    await like_comment(author, comment.id, rules=RULES)
    await follow_user(fan, author.id)
    snapshot = {
        "post": await Post.get(id=post.id).values("like_count", "comment_count"),
        "comment": await Comment.get(id=comment.id).values("like_count", "reply_count"),
        "author": await User.get(id=author.id).values(
            "post_count", "follower_count", "points", "likes_received"
        ),
        "topic": await Topic.get(name="话题").values("post_count"),
    }
    await User.all().update(points=999, likes_received=0)
    await Post.all().update(like_count=99, comment_count=-3)
    await Comment.all().update(like_count=7, reply_count=0)
    await User.all().update(post_count=0, follower_count=42, following_count=5)
    await Topic.all().update(post_count=12)
    await recount_all()
    assert snapshot == {
        "post": await Post.get(id=post.id).values("like_count", "comment_count"),
        "comment": await Comment.get(id=comment.id).values("like_count", "reply_count"),
        "author": await User.get(id=author.id).values(
            "post_count", "follower_count", "points", "likes_received"
        ),
        "topic": await Topic.get(name="话题").values("post_count"),
    }
    assert snapshot["post"] == {"like_count": 1, "comment_count": 2}
    assert (await User.get(id=fan.id)).following_count == 1


async def test_counters_of_several_rows_are_taken_in_id_order(
    runtime: object, database_url: str
) -> None:
    """Two posts filed under the same topics in two orders must not each hold a topic the
    other waits for: a bump of several rows waits for the lowest id first, holding none of
    the others, whatever order the table's rows lie in."""
    first = await Topic.create(name="先建的话题")
    second = await Topic.create(name="后建的话题")
    await Topic.filter(id=first.id).update(description="改过")  # now after `second` in its page
    dsn = _asyncpg_dsn(database_url)
    holder, prober = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        holder_tx = holder.transaction()
        await holder_tx.start()
        await holder.execute("SELECT 1 FROM topics WHERE id = $1 FOR NO KEY UPDATE", first.id)

        async def bump_both() -> None:
            async with in_transaction() as conn:
                await sql.bump("topics", "post_count", [second.id, first.id], +1, conn=conn)

        bumping = asyncio.create_task(bump_both())
        await asyncio.sleep(0.5)  # waiting on `first`
        assert not bumping.done()
        # `second` is free: the bump holds nothing while it waits for the lower id
        probe = prober.transaction()
        await probe.start()
        await prober.execute(
            "SELECT 1 FROM topics WHERE id = $1 FOR NO KEY UPDATE NOWAIT", second.id
        )
        await probe.rollback()
        await holder_tx.rollback()
        await asyncio.wait_for(bumping, 10)
    finally:
        await holder.close()
        await prober.close()
    counts = await Topic.filter(id__in=[first.id, second.id]).values_list("post_count", flat=True)
    assert sorted(counts) == [1, 1]
