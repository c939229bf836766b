"""Recount every denormalised counter from the rows it counts.

The services keep counters exact in the transaction of each change; these set-based recounts
repair drift after manual data fixes or imports, and the reconciliation job runs them."""

from __future__ import annotations

from quanzi.domain import sql

_RECOUNTS: dict[str, str] = {
    "posts": """
        UPDATE posts p SET
            like_count = (SELECT count(*) FROM post_likes l WHERE l.post_id = p.id),
            comment_count = (SELECT count(*) FROM comments c
                             WHERE c.post_id = p.id AND c.status = 'PUBLISHED'),
            share_count = (SELECT count(*) FROM shares s WHERE s.post_id = p.id),
            answer_count = (SELECT count(*) FROM answers a
                            WHERE a.question_id = p.id AND a.status = 'PUBLISHED'),
            -- views counted before their rows existed (imports) are kept
            view_count = GREATEST(p.view_count,
                                  (SELECT count(*) FROM post_views v WHERE v.post_id = p.id))
        WHERE p.status <> 'DELETED'
    """,
    "comments": """
        UPDATE comments c SET
            like_count = (SELECT count(*) FROM comment_likes l WHERE l.comment_id = c.id),
            reply_count = (SELECT count(*) FROM comments r
                           WHERE r.root_id = c.id AND r.status = 'PUBLISHED')
        WHERE c.status <> 'DELETED'
    """,
    "users": """
        UPDATE users u SET
            post_count = (SELECT count(*) FROM posts p
                          WHERE p.author_id = u.id AND p.status = 'PUBLISHED'),
            follower_count = (SELECT count(*) FROM user_follows f WHERE f.followee_id = u.id),
            following_count = (SELECT count(*) FROM user_follows f WHERE f.follower_id = u.id),
            invited_count = (SELECT count(*) FROM users i WHERE i.invited_by_id = u.id),
            points = (SELECT COALESCE(sum(amount), 0) FROM points_entries e
                      WHERE e.user_id = u.id),
            likes_received = (SELECT count(*) FROM post_likes l JOIN posts p ON p.id = l.post_id
                              WHERE p.author_id = u.id AND l.user_id <> u.id)
                           + (SELECT count(*) FROM comment_likes l
                              JOIN comments c ON c.id = l.comment_id
                              WHERE c.author_id = u.id AND l.user_id <> u.id)
    """,
    "topics": """
        UPDATE topics t SET
            post_count = (SELECT count(*) FROM post_topics pt JOIN posts p ON p.id = pt.post_id
                          WHERE pt.topic_id = t.id AND p.status = 'PUBLISHED'),
            follower_count = (SELECT count(*) FROM topic_follows f WHERE f.topic_id = t.id)
    """,
}


async def recount_all() -> dict[str, int]:
    """Recount posts, comments, users and topics; return the rows visited per table."""
    return {table: await sql.execute(statement) for table, statement in _RECOUNTS.items()}
