"""Moving content between statuses (published, in review, hidden, rejected) while every
counter that counts published content follows in the same transaction.

Lock order. Every transaction that writes content takes its rows in one order, so that two
of them can never each hold a row the other waits for (a deadlock, which PostgreSQL ends by
failing one of them): posts (a question before its answers), then answers, then comments (a
thread's root before its replies), each kind in id order; then the counters' rows of
members, circles and topics, each in id order (a post's author and the inviter its
publication pays are taken together: rewards.lock_earners). A review task is locked only by
a writer that holds its content, after it. A writer that reaches a row through another (a
comment's post, an answer's question) locks the container first: `lock_content`. Apart
from content: a refresh of a sign-in takes its refresh token, then its member's row (shared);
revoking sign-ins takes their tokens in id order, and nothing else (domain/auth.py). A
member's post or feedback ticket takes an advisory lock of the member's before any row
(domain/resubmits.py); nothing waits for it while holding rows."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain import rewards
from domain.errors import NotFound
from domain.models import PostStatus, TargetType

# Posts, comments and answers share their status words (PostStatus, CommentStatus, ...).
PUBLISHED, DELETED = PostStatus.PUBLISHED, PostStatus.DELETED
TABLES = {TargetType.POST: "posts", TargetType.COMMENT: "comments", TargetType.ANSWER: "answers"}


async def set_status(
    target: TargetType,
    target_id: int,
    status: PostStatus,
    conn: BaseDBAsyncClient,
    *,
    locked: bool = False,
) -> str | None:
    """Set the status of a post, comment or answer; return the old one (None for members).
    Deleted content stays deleted. `locked`: the caller took lock_content for it already."""
    table = TABLES.get(target)
    if table is None:
        return None
    if not locked:
        await lock_content([(target, target_id)], conn)
    # Read under lock_content's lock on the row.
    rows = await sql.fetch(f"SELECT status FROM {table} WHERE id = $1", target_id, conn=conn)
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


async def lock_content(
    items: Iterable[tuple[TargetType, int]], conn: BaseDBAsyncClient, *, counters: bool = False
) -> None:
    """Lock posts, comments and answers (members are not content: left out) with what
    contains them, in the lock order (the module's docstring), before any of them is
    written. `counters`: the rows of the members, circles and topics that count the posts
    too, for a transaction that changes the status of several items (each change bumps
    them, and one item's would otherwise be locked before the next item's content)."""
    posts: set[int] = set()
    answers: set[int] = set()
    comments: set[int] = set()
    of_kind = {TargetType.POST: posts, TargetType.ANSWER: answers, TargetType.COMMENT: comments}
    for target, target_id in items:
        if target in of_kind:
            of_kind[target].add(target_id)
    counted_posts = sorted(posts)  # the items' own posts, whose counters `counters` locks
    # What contains an item never changes: read without a lock, then locked in order.
    if comments:
        for row in await sql.fetch(
            "SELECT post_id, answer_id, root_id FROM comments WHERE id = ANY($1::bigint[])",
            sorted(comments),
            conn=conn,
        ):
            (answers if row["answer_id"] is not None else posts).add(
                row["answer_id"] or row["post_id"]
            )
            if row["root_id"] is not None:
                comments.add(row["root_id"])
    if answers:
        questions = await sql.fetch(
            "SELECT question_id FROM answers WHERE id = ANY($1::bigint[])",
            sorted(answers),
            conn=conn,
        )
        posts.update(row["question_id"] for row in questions)
    await sql.lock_rows("posts", sorted(posts), conn)
    await sql.lock_rows("answers", sorted(answers), conn)
    await sql.lock_rows("comments", sorted(comments), conn)
    if counters and counted_posts:
        [row] = await sql.fetch(
            "SELECT array_agg(DISTINCT author_id) AS users, "
            "array_remove(array_agg(DISTINCT circle_id), NULL) AS circles, "
            "(SELECT array_agg(DISTINCT topic_id) FROM post_topics "
            " WHERE post_id = ANY($1::bigint[])) AS topics "
            "FROM posts WHERE id = ANY($1::bigint[])",
            counted_posts,
            conn=conn,
        )
        for table in ("users", "circles", "topics"):
            await sql.lock_rows(table, row[table] or [], conn)


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
        if delta > 0:
            await rewards.lock_earners(post["author_id"], conn)
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
