"""Moving content between statuses (published, in review, hidden, rejected) while every
counter that counts published content follows in the same transaction."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain.errors import NotFound
from domain.models import PostStatus, TargetType

# Posts, comments and answers share their status words (PostStatus, CommentStatus, ...).
PUBLISHED, DELETED = PostStatus.PUBLISHED, PostStatus.DELETED
TABLES = {TargetType.POST: "posts", TargetType.COMMENT: "comments", TargetType.ANSWER: "answers"}


async def set_status(
    target: TargetType, target_id: int, status: PostStatus, conn: BaseDBAsyncClient
) -> str | None:
    """Set the status of a post, comment or answer; return the old one (None for members).
    Deleted content stays deleted."""
    table = TABLES.get(target)
    if table is None:
        return None
    rows = await sql.fetch(
        f"SELECT status FROM {table} WHERE id = $1 FOR NO KEY UPDATE", target_id, conn=conn
    )
    if not rows:
        raise NotFound(field="targetId")
    old = rows[0]["status"]
    if old in (status, DELETED):
        return old
    await sql.execute(
        f"UPDATE {table} SET status = $2 WHERE id = $1", target_id, status.value, conn=conn
    )
    delta = (status == PUBLISHED) - (old == PUBLISHED)
    if delta:
        await count_published(target, target_id, delta, conn)
    return old


async def count_published(
    target: TargetType, target_id: int, delta: int, conn: BaseDBAsyncClient
) -> None:
    """Add `delta` to every counter that counts this piece of published content. (What it
    earns is `rewards.content_published`, called by whoever publishes it.)"""
    if target is TargetType.POST:
        post = (
            await sql.fetch(
                "SELECT author_id, circle_id FROM posts WHERE id = $1", target_id, conn=conn
            )
        )[0]
        await sql.bump("users", "post_count", post["author_id"], delta, conn=conn)
        if post["circle_id"] is not None:
            await sql.bump("circles", "post_count", post["circle_id"], delta, conn=conn)
        await sql.bump_where(
            "topics",
            "post_count",
            "id IN (SELECT topic_id FROM post_topics WHERE post_id = $1)",
            target_id,
            delta,
            conn=conn,
        )
    elif target is TargetType.COMMENT:
        row = (
            await sql.fetch(
                "SELECT post_id, answer_id, root_id FROM comments WHERE id = $1",
                target_id,
                conn=conn,
            )
        )[0]
        if row["answer_id"] is not None:  # a comment on an answer counts on the answer
            await sql.bump("answers", "comment_count", row["answer_id"], delta, conn=conn)
        else:
            await sql.bump("posts", "comment_count", row["post_id"], delta, conn=conn)
        if row["root_id"] is not None:
            await sql.bump("comments", "reply_count", row["root_id"], delta, conn=conn)
    elif target is TargetType.ANSWER:
        row = (
            await sql.fetch("SELECT question_id FROM answers WHERE id = $1", target_id, conn=conn)
        )[0]
        await sql.bump("posts", "answer_count", row["question_id"], delta, conn=conn)
