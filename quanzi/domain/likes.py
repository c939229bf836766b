"""Likes on posts and comments: idempotent, counted in the same transaction as the row."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from quanzi.domain import sql
from quanzi.domain.errors import NotFound
from quanzi.domain.models import Comment, CommentStatus, Post, User
from quanzi.domain.posts import get_published_post


async def like_post(user: User, post_id: int) -> Post:
    """Like a published post; liking again changes nothing."""
    async with in_transaction() as conn:
        await get_published_post(post_id, conn=conn)
        if await sql.insert_unique(
            "post_likes", {"user_id": user.id, "post_id": post_id}, conn=conn
        ):
            await sql.bump("posts", "like_count", post_id, +1, conn=conn)
    return await Post.get(id=post_id)


async def unlike_post(user: User, post_id: int) -> Post:
    """Take a like back; unliking what was never liked changes nothing."""
    async with in_transaction() as conn:
        if not await Post.filter(id=post_id).using_db(conn).exists():
            raise NotFound("post_not_found", field="postId")
        if await sql.delete_where(
            "post_likes", {"user_id": user.id, "post_id": post_id}, conn=conn
        ):
            await sql.bump("posts", "like_count", post_id, -1, conn=conn)
    return await Post.get(id=post_id)


async def _check_comment(comment_id: int, conn: BaseDBAsyncClient, *, published: bool) -> None:
    query = Comment.filter(id=comment_id)
    if published:
        query = query.filter(status=CommentStatus.PUBLISHED)
    if not await query.using_db(conn).exists():
        raise NotFound("comment_not_found", field="commentId")


async def like_comment(user: User, comment_id: int) -> Comment:
    """Like a published comment; liking again changes nothing."""
    async with in_transaction() as conn:
        await _check_comment(comment_id, conn, published=True)
        row = {"user_id": user.id, "comment_id": comment_id}
        if await sql.insert_unique("comment_likes", row, conn=conn):
            await sql.bump("comments", "like_count", comment_id, +1, conn=conn)
    return await Comment.get(id=comment_id)


async def unlike_comment(user: User, comment_id: int) -> Comment:
    async with in_transaction() as conn:
        await _check_comment(comment_id, conn, published=False)
        row = {"user_id": user.id, "comment_id": comment_id}
        if await sql.delete_where("comment_likes", row, conn=conn):
            await sql.bump("comments", "like_count", comment_id, -1, conn=conn)
    return await Comment.get(id=comment_id)
