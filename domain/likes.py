"""Likes on posts and comments: idempotent, counted in the same transaction as the row; the
author earns a point for a like (and loses it when the like is withdrawn the same day)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from adapters import sql
from domain import rewards
from domain.errors import NotFound
from domain.models import Comment, CommentStatus, Post, PostStatus, TargetType, User
from domain.posts import get_published_post
from domain.rules import CommunityRules


async def like_post(user: User, post_id: int, *, rules: CommunityRules) -> Post:
    """Like a published post; liking again changes nothing."""
    async with in_transaction() as conn:
        post = await get_published_post(post_id, reader=user, conn=conn)
        row = {"user_id": user.id, "post_id": post_id}
        if await sql.insert_unique("post_likes", row, conn=conn):
            await sql.bump("posts", "like_count", post_id, +1, conn=conn)
            author_id = post.author_id  # type: ignore[attr-defined]
            await rewards.like_received(
                TargetType.POST, post_id, author_id, user.id, conn, rules=rules
            )
    return await Post.get(id=post_id)


async def unlike_post(user: User, post_id: int, *, rules: CommunityRules) -> Post:
    """Take a like back; unliking what was never liked changes nothing."""
    async with in_transaction() as conn:
        post = await Post.filter(id=post_id).using_db(conn).first()
        if post is None:
            raise NotFound("post_not_found", field="postId")
        row = {"user_id": user.id, "post_id": post_id}
        if await sql.delete_where("post_likes", row, conn=conn):
            await sql.bump("posts", "like_count", post_id, -1, conn=conn)
            author_id = post.author_id  # type: ignore[attr-defined]
            await rewards.like_withdrawn(
                TargetType.POST, post_id, author_id, user.id, conn, rules=rules
            )
    return await Post.get(id=post_id)


async def _comment_author(comment_id: int, conn: BaseDBAsyncClient, *, published: bool) -> int:
    """The comment's author; NOT_FOUND when it does not exist (or is not published)."""
    query = Comment.filter(id=comment_id)
    if published:  # access.can_see_comment, in SQL: the comment, its post (and answer) published
        query = query.filter(
            Q(answer_id=None) | Q(answer__status=PostStatus.PUBLISHED),
            status=CommentStatus.PUBLISHED,
            post__status=PostStatus.PUBLISHED,
        )
    rows = await query.using_db(conn).values("author_id")
    if not rows:
        raise NotFound("comment_not_found", field="commentId")
    return int(rows[0]["author_id"])


async def like_comment(user: User, comment_id: int, *, rules: CommunityRules) -> Comment:
    """Like a published comment; liking again changes nothing."""
    async with in_transaction() as conn:
        author_id = await _comment_author(comment_id, conn, published=True)
        row = {"user_id": user.id, "comment_id": comment_id}
        if await sql.insert_unique("comment_likes", row, conn=conn):
            await sql.bump("comments", "like_count", comment_id, +1, conn=conn)
            await rewards.like_received(
                TargetType.COMMENT, comment_id, author_id, user.id, conn, rules=rules
            )
    return await Comment.get(id=comment_id)


async def unlike_comment(user: User, comment_id: int, *, rules: CommunityRules) -> Comment:
    async with in_transaction() as conn:
        author_id = await _comment_author(comment_id, conn, published=False)
        row = {"user_id": user.id, "comment_id": comment_id}
        if await sql.delete_where("comment_likes", row, conn=conn):
            await sql.bump("comments", "like_count", comment_id, -1, conn=conn)
            await rewards.like_withdrawn(
                TargetType.COMMENT, comment_id, author_id, user.id, conn, rules=rules
            )
    return await Comment.get(id=comment_id)
