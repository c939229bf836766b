"""Likes on posts and comments: idempotent, counted in the same transaction as the row."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from quanzi.domain import sql
from quanzi.domain.errors import NotFound
from quanzi.domain.models import Comment, CommentStatus, Post, User
from quanzi.domain.posts import get_published_post


async def like_post(user: User, post_id: int) -> Post:
    """Like a published post; liking again changes nothing."""
    async with in_transaction() as conn:
        await get_published_post(post_id, conn=conn)
        inserted = await sql.fetch(
            "INSERT INTO post_likes (user_id, post_id, created_at) VALUES ($1, $2, now()) "
            "ON CONFLICT (user_id, post_id) DO NOTHING RETURNING id",
            user.id,
            post_id,
            conn=conn,
        )
        if inserted:
            await sql.execute(
                "UPDATE posts SET like_count = like_count + 1 WHERE id = $1", post_id, conn=conn
            )
    return await Post.get(id=post_id)


async def unlike_post(user: User, post_id: int) -> Post:
    """Take a like back; unliking what was never liked changes nothing."""
    async with in_transaction() as conn:
        if not await Post.filter(id=post_id).using_db(conn).exists():
            raise NotFound("post_not_found", field="postId")
        deleted = await sql.execute(
            "DELETE FROM post_likes WHERE user_id = $1 AND post_id = $2",
            user.id,
            post_id,
            conn=conn,
        )
        if deleted:
            await sql.execute(
                "UPDATE posts SET like_count = like_count - 1 WHERE id = $1", post_id, conn=conn
            )
    return await Post.get(id=post_id)


async def _published_comment(comment_id: int, conn: object) -> Comment:
    comment = (
        await Comment.filter(id=comment_id, status=CommentStatus.PUBLISHED)
        .using_db(conn)  # type: ignore[arg-type]
        .first()
    )
    if comment is None:
        raise NotFound("comment_not_found", field="commentId")
    return comment


async def like_comment(user: User, comment_id: int) -> Comment:
    async with in_transaction() as conn:
        await _published_comment(comment_id, conn)
        inserted = await sql.fetch(
            "INSERT INTO comment_likes (user_id, comment_id, created_at) VALUES ($1, $2, now()) "
            "ON CONFLICT (user_id, comment_id) DO NOTHING RETURNING id",
            user.id,
            comment_id,
            conn=conn,
        )
        if inserted:
            await sql.execute(
                "UPDATE comments SET like_count = like_count + 1 WHERE id = $1",
                comment_id,
                conn=conn,
            )
    return await Comment.get(id=comment_id)


async def unlike_comment(user: User, comment_id: int) -> Comment:
    async with in_transaction() as conn:
        if not await Comment.filter(id=comment_id).using_db(conn).exists():
            raise NotFound("comment_not_found", field="commentId")
        deleted = await sql.execute(
            "DELETE FROM comment_likes WHERE user_id = $1 AND comment_id = $2",
            user.id,
            comment_id,
            conn=conn,
        )
        if deleted:
            await sql.execute(
                "UPDATE comments SET like_count = like_count - 1 WHERE id = $1",
                comment_id,
                conn=conn,
            )
    return await Comment.get(id=comment_id)
