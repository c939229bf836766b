"""Recount every denormalised counter from the rows it counts.

The services keep counters exact in the transaction of each change; these set-based recounts
repair drift after manual data fixes or imports. Only rows that drifted are written, and the
reconciliation job reports how many there were."""

from __future__ import annotations

from functools import partial

from tortoise.transactions import in_transaction

from adapters import sql
from domain.models import MembershipStatus, PostStatus

_PUBLISHED, _DELETED = PostStatus.PUBLISHED.value, PostStatus.DELETED.value

_RECOUNTS: dict[str, str] = {
    "posts": """
        WITH c AS (
          SELECT p.id,
            (SELECT count(*) FROM post_likes l WHERE l.post_id = p.id) AS like_count,
            (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.answer_id IS NULL
               AND c.status = $1) AS comment_count,
            (SELECT count(*) FROM shares s WHERE s.post_id = p.id AND s.counted) AS share_count,
            (SELECT count(*) FROM answers a WHERE a.question_id = p.id
               AND a.status = $1) AS answer_count,
            -- views counted before their rows existed (imports) are kept
            GREATEST(p.view_count,
                     (SELECT count(*) FROM post_views v WHERE v.post_id = p.id)) AS view_count
          FROM posts p WHERE p.status <> $2 AND p.id = ANY({batch})
        )
        UPDATE posts p SET like_count = c.like_count, comment_count = c.comment_count,
          share_count = c.share_count, answer_count = c.answer_count, view_count = c.view_count
        FROM c WHERE p.id = c.id AND
          (p.like_count, p.comment_count, p.share_count, p.answer_count, p.view_count)
          IS DISTINCT FROM (c.like_count, c.comment_count, c.share_count, c.answer_count,
                            c.view_count)
    """,
    "comments": """
        WITH c AS (
          SELECT c.id,
            (SELECT count(*) FROM comment_likes l WHERE l.comment_id = c.id) AS like_count,
            (SELECT count(*) FROM comments r WHERE r.root_id = c.id
               AND r.status = $1) AS reply_count
          FROM comments c WHERE c.status <> $2 AND c.id = ANY({batch})
        )
        UPDATE comments t SET like_count = c.like_count, reply_count = c.reply_count
        FROM c WHERE t.id = c.id
          AND (t.like_count, t.reply_count) IS DISTINCT FROM (c.like_count, c.reply_count)
    """,
    "answers": """
        WITH c AS (
          SELECT a.id,
            (SELECT count(*) FROM comments c WHERE c.answer_id = a.id
               AND c.status = $1) AS comment_count
          FROM answers a WHERE a.status <> $2 AND a.id = ANY({batch})
        )
        UPDATE answers a SET comment_count = c.comment_count
        FROM c WHERE a.id = c.id AND a.comment_count <> c.comment_count
    """,
    "users": """
        WITH c AS (
          SELECT u.id,
            (SELECT count(*) FROM posts p WHERE p.author_id = u.id
               AND p.status = $1) AS post_count,
            (SELECT count(*) FROM user_follows f WHERE f.followee_id = u.id) AS follower_count,
            (SELECT count(*) FROM user_follows f WHERE f.follower_id = u.id) AS following_count,
            (SELECT count(*) FROM users i WHERE i.invited_by_id = u.id) AS invited_count,
            (SELECT COALESCE(sum(amount), 0) FROM points_entries e
               WHERE e.user_id = u.id) AS points,
            (SELECT count(*) FROM post_likes l JOIN posts p ON p.id = l.post_id
               WHERE p.author_id = u.id AND l.user_id <> u.id)
            + (SELECT count(*) FROM comment_likes l JOIN comments c ON c.id = l.comment_id
               WHERE c.author_id = u.id AND l.user_id <> u.id) AS likes_received,
            (SELECT count(*) FROM notifications n WHERE n.recipient_id = u.id
               AND NOT n.read) AS unread
          FROM users u WHERE u.id = ANY({batch})
        )
        UPDATE users u SET post_count = c.post_count, follower_count = c.follower_count,
          following_count = c.following_count, invited_count = c.invited_count,
          points = c.points, likes_received = c.likes_received,
          unread_notification_count = c.unread
        FROM c WHERE u.id = c.id AND
          (u.post_count, u.follower_count, u.following_count, u.invited_count, u.points,
           u.likes_received, u.unread_notification_count)
          IS DISTINCT FROM (c.post_count, c.follower_count, c.following_count, c.invited_count,
                            c.points, c.likes_received, c.unread)
    """,
    "topics": """
        WITH c AS (
          SELECT t.id,
            (SELECT count(*) FROM post_topics pt JOIN posts p ON p.id = pt.post_id
               WHERE pt.topic_id = t.id AND p.status = $1) AS post_count,
            (SELECT count(*) FROM topic_follows f WHERE f.topic_id = t.id) AS follower_count
          FROM topics t WHERE t.id = ANY({batch})
        )
        UPDATE topics t SET post_count = c.post_count, follower_count = c.follower_count
        FROM c WHERE t.id = c.id
          AND (t.post_count, t.follower_count) IS DISTINCT FROM (c.post_count, c.follower_count)
    """,
    "circles": """
        WITH c AS (
          SELECT ci.id,
            (SELECT count(*) FROM circle_members m WHERE m.circle_id = ci.id
               AND m.status = $2) AS member_count,
            (SELECT count(*) FROM posts p WHERE p.circle_id = ci.id
               AND p.status = $1) AS post_count
          FROM circles ci WHERE ci.id = ANY({batch})
        )
        UPDATE circles ci SET member_count = c.member_count, post_count = c.post_count
        FROM c WHERE ci.id = c.id
          AND (ci.member_count, ci.post_count) IS DISTINCT FROM (c.member_count, c.post_count)
    """,
}


# The statuses each recount binds: $1 always "published", $2 what else it needs.
_PARAMETERS: dict[str, tuple[str, ...]] = {
    "posts": (_PUBLISHED, _DELETED),
    "comments": (_PUBLISHED, _DELETED),
    "answers": (_PUBLISHED, _DELETED),
    "users": (_PUBLISHED,),
    "topics": (_PUBLISHED,),
    "circles": (_PUBLISHED, MembershipStatus.ACTIVE.value),
}


# Rows recounted in one transaction.
BATCH = 1000


async def recount_all() -> dict[str, int]:
    """Recount posts, comments, answers, members, topics and circles; return the rows repaired.
    Batch by batch, members writing all the while: a batch's rows are locked in id order
    first, then recounted by a statement whose snapshot comes after the locks, so that it
    counts every change committed to them (one statement doing both reads the rows as of its
    start, and a row a member changed while it waited got the old count back, the change
    lost). A batch chosen as a deadlock's victim runs again: it only recomputes."""
    repaired: dict[str, int] = {}
    for table, statement in _RECOUNTS.items():
        parameters = _PARAMETERS[table]
        batch = f"${len(parameters) + 1}::bigint[]"
        recount = statement.replace("{batch}", batch) + " RETURNING 1"
        repaired[table], after = 0, 0
        while ids := [
            row["id"]
            for row in await sql.fetch(
                f"SELECT id FROM {table} WHERE id > $1 ORDER BY id LIMIT $2", after, BATCH
            )
        ]:
            run = partial(_recount_batch, table, recount, parameters, ids)
            repaired[table] += await sql.again_on_deadlock(run)
            after = ids[-1]
    return repaired


async def _recount_batch(
    table: str, recount: str, parameters: tuple[str, ...], ids: list[int]
) -> int:
    async with in_transaction() as conn:
        await sql.lock_rows(table, ids, conn)
        return len(await sql.fetch(recount, *parameters, ids, conn=conn))
