"""Comments with one level of threading, and their deletion."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from adapters import sql
from domain import answers, circles, resubmits
from domain.content_status import lock_content
from domain.errors import Forbidden, NotFound
from domain.models import Comment, CommentStatus, TargetType, User
from domain.posts import get_published_post
from domain.publishing import (
    Screening,
    check_can_publish,
    check_length,
    screen_texts,
    settle,
    status_for,
)
from domain.rules import CommunityRules
from domain.screening import Scene

COMMENT_MAX = 1000


async def add_comment(
    author: User,
    post_id: int,
    body: str,
    *,
    reply_to_id: int | None = None,
    screener: Screening,
    rules: CommunityRules,
) -> Comment:
    """Comment on a published post, or reply: a reply to a reply joins the root's thread and
    keeps `reply_to` on the comment it answers. Written through the publishing pipeline."""
    check_can_publish(author)
    body = check_length(body, "body", max=COMMENT_MAX)
    verdict = await screen_texts(screener, author, [("body", body)], Scene.COMMENT)
    status = CommentStatus(status_for(verdict))
    async with in_transaction() as conn:
        # Lock the post row: a concurrent delete cannot slip between the check and the insert.
        await sql.fetch("SELECT id FROM posts WHERE id = $1 FOR NO KEY UPDATE", post_id, conn=conn)
        post = await get_published_post(post_id, reader=author, conn=conn)
        root_id = None
        if reply_to_id is not None:
            target = (
                await Comment.filter(
                    id=reply_to_id, post_id=post.id, answer_id=None, status=CommentStatus.PUBLISHED
                )
                .using_db(conn)
                .first()
            )
            if target is None:
                raise NotFound("comment_not_found", field="replyToId")
            root_id = target.root_id or target.id  # type: ignore[attr-defined]
        sent = await resubmits.created(
            "comments",
            conn,
            screener=screener,
            deletable=True,
            author_id=author.id,
            post_id=post.id,
            answer_id=None,
            reply_to_id=reply_to_id,
            body=body,
        )
        if sent is not None:  # a double tap, a retry: the first is the answer
            return await Comment.get(id=sent, using_db=conn)
        comment = await Comment.create(
            post_id=post.id,
            author_id=author.id,
            root_id=root_id,
            reply_to_id=reply_to_id,
            body=body,
            status=status,
            using_db=conn,
        )
        await settle(TargetType.COMMENT, comment.id, verdict, conn, rules=rules)
    return comment


async def add_answer_comment(
    author: User,
    answer_id: int,
    body: str,
    *,
    reply_to_id: int | None = None,
    screener: Screening,
    rules: CommunityRules,
) -> Comment:
    """Comment on a published answer, or reply in one of its threads, exactly as on a post:
    the comment's post is the answer's question, and it counts on the answer."""
    check_can_publish(author)
    body = check_length(body, "body", max=COMMENT_MAX)
    verdict = await screen_texts(screener, author, [("body", body)], Scene.COMMENT)
    status = CommentStatus(status_for(verdict))
    closed = await circles.closed_circles(author)
    async with in_transaction() as conn:
        # The answer row lock: a concurrent hide or delete cannot slip in before the insert.
        answer = await answers.published_answer(answer_id, conn, lock=True, closed=closed)
        root_id = None
        if reply_to_id is not None:
            target = (
                await Comment.filter(
                    id=reply_to_id, answer_id=answer.id, status=CommentStatus.PUBLISHED
                )
                .using_db(conn)
                .first()
            )
            if target is None:
                raise NotFound("comment_not_found", field="replyToId")
            root_id = target.root_id or target.id  # type: ignore[attr-defined]
        sent = await resubmits.created(
            "comments",
            conn,
            screener=screener,
            deletable=True,
            author_id=author.id,
            answer_id=answer.id,
            reply_to_id=reply_to_id,
            body=body,
        )
        if sent is not None:
            return await Comment.get(id=sent, using_db=conn)
        comment = await Comment.create(
            post_id=answer.question_id,  # type: ignore[attr-defined]
            answer_id=answer.id,
            author_id=author.id,
            root_id=root_id,
            reply_to_id=reply_to_id,
            body=body,
            status=status,
            using_db=conn,
        )
        await settle(TargetType.COMMENT, comment.id, verdict, conn, rules=rules)
    return comment


async def delete_comment(author: User, comment_id: int) -> None:
    """Soft delete by the author. Deleting a root comment takes its thread with it."""
    async with in_transaction() as conn:
        # Its post (or answer) first, as everyone writing in the thread locks it; then the
        # comment itself (and its root), read under that lock.
        await lock_content([(TargetType.COMMENT, comment_id)], conn)
        rows = await sql.fetch(
            "SELECT id, author_id, post_id, answer_id, root_id, status FROM comments WHERE id = $1",
            comment_id,
            conn=conn,
        )
        if not rows or rows[0]["status"] == CommentStatus.DELETED:
            raise NotFound("comment_not_found", field="id")
        row = rows[0]
        if row["author_id"] != author.id:
            raise Forbidden("not_author")
        # The comment and, for a root, its thread, whatever their status: a reply (or the
        # root) hidden or in review now must not come back when a reviewer approves it.
        thread = await sql.fetch(
            "SELECT id, status FROM comments WHERE (id = $1 OR root_id = $1) AND status <> $2 "
            "ORDER BY id FOR NO KEY UPDATE",
            comment_id,
            CommentStatus.DELETED.value,
            conn=conn,
        )
        await sql.execute(
            "UPDATE comments SET status = $3, deleted_at = $2 WHERE id = ANY($1::bigint[])",
            [c["id"] for c in thread],
            datetime.now(UTC),
            CommentStatus.DELETED.value,
            conn=conn,
        )
        gone = [c for c in thread if c["status"] == CommentStatus.PUBLISHED]  # were counted
        if not gone:
            return
        if row["answer_id"] is not None:
            await sql.bump("answers", "comment_count", row["answer_id"], -len(gone), conn=conn)
        else:
            await sql.bump("posts", "comment_count", row["post_id"], -len(gone), conn=conn)
        if row["root_id"] is not None:
            await sql.bump("comments", "reply_count", row["root_id"], -1, conn=conn)
