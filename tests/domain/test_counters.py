"""Recounting repairs every denormalised counter from its rows."""

from __future__ import annotations

from domain.comments import add_comment
from domain.counters import recount_all
from domain.follows import follow_user
from domain.likes import like_comment, like_post
from domain.models import Comment, Post, Topic, User
from domain.publishing import NO_SCREENING
from tests.factories import make_post, make_user


async def test_recount_restores_counters_that_drifted(runtime: object) -> None:
    author, fan = await make_user(), await make_user()
    post = await make_post(author, "原帖 #话题#")
    comment = await add_comment(fan, post.id, "评论", screener=NO_SCREENING)
    await add_comment(author, post.id, "回复", reply_to_id=comment.id, screener=NO_SCREENING)
    await like_post(fan, post.id)
    await like_comment(author, comment.id)
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
