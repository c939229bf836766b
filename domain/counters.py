"""Recount every denormalised counter from the rows it counts.

The services keep counters exact in the transaction of each change; these set-based recounts
repair drift after manual data fixes or imports. Only rows that drifted are written, and the
reconciliation job reports how many there were."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from tortoise.transactions import in_transaction

from adapters import sql
from domain.models import MembershipStatus, PostStatus

_PUBLISHED, _DELETED = PostStatus.PUBLISHED.value, PostStatus.DELETED.value


@dataclass(frozen=True)
class _Recount:
    counted: str  # SELECT of the id and the counts of each row of {batch}
    columns: tuple[str, ...]  # the counters: the table's columns and `counted`'s


_RECOUNTS: dict[str, _Recount] = {
    "posts": _Recount(
        """
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
        """,
        ("like_count", "comment_count", "share_count", "answer_count", "view_count"),
    ),
    "comments": _Recount(
        """
        SELECT c.id,
          (SELECT count(*) FROM comment_likes l WHERE l.comment_id = c.id) AS like_count,
          (SELECT count(*) FROM comments r WHERE r.root_id = c.id
             AND r.status = $1) AS reply_count
        FROM comments c WHERE c.status <> $2 AND c.id = ANY({batch})
        """,
        ("like_count", "reply_count"),
    ),
    "answers": _Recount(
        """
        SELECT a.id,
          (SELECT count(*) FROM comments c WHERE c.answer_id = a.id
             AND c.status = $1) AS comment_count
        FROM answers a WHERE a.status <> $2 AND a.id = ANY({batch})
        """,
        ("comment_count",),
    ),
    "users": _Recount(
        """
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
             AND NOT n.read) AS unread_notification_count
        FROM users u WHERE u.id = ANY({batch})
        """,
        (
            "post_count",
            "follower_count",
            "following_count",
            "invited_count",
            "points",
            "likes_received",
            "unread_notification_count",
        ),
    ),
    "topics": _Recount(
        """
        SELECT t.id,
          (SELECT count(*) FROM post_topics pt JOIN posts p ON p.id = pt.post_id
             WHERE pt.topic_id = t.id AND p.status = $1) AS post_count,
          (SELECT count(*) FROM topic_follows f WHERE f.topic_id = t.id) AS follower_count
        FROM topics t WHERE t.id = ANY({batch})
        """,
        ("post_count", "follower_count"),
    ),
    "circles": _Recount(
        """
        SELECT ci.id,
          (SELECT count(*) FROM circle_members m WHERE m.circle_id = ci.id
             AND m.status = $2) AS member_count,
          (SELECT count(*) FROM posts p WHERE p.circle_id = ci.id
             AND p.status = $1) AS post_count
        FROM circles ci WHERE ci.id = ANY({batch})
        """,
        ("member_count", "post_count"),
    ),
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


# Rows read for drift at a time.
BATCH = 1000


def _compared(recount: _Recount) -> str:
    """The table's counters (t) are not what `counted` counts."""
    columns = recount.columns
    return (
        f"({', '.join(f't.{c}' for c in columns)}) IS DISTINCT FROM "
        f"({', '.join(f'counted.{c}' for c in columns)})"
    )


async def recount_all() -> dict[str, int]:
    """Recount posts, comments, answers, members, topics and circles; return the rows repaired.
    A thousand rows at a time, members writing all the while: the rows that drifted are
    found by a read that locks nothing, then locked in id order, then recounted by a
    statement whose snapshot comes after the locks, so that it counts every change committed
    to them meanwhile. (One statement doing it all read the rows as of its start, and a row
    a member changed while it waited for it got the old count back: the change was lost.)
    A repair chosen as a deadlock's victim runs again: it only recomputes."""
    repaired: dict[str, int] = {}
    for table, recount in _RECOUNTS.items():
        parameters = _PARAMETERS[table]
        counted = recount.counted.replace("{batch}", f"${len(parameters) + 1}::bigint[]")
        drifted = (
            f"WITH counted AS ({counted}) SELECT t.id FROM {table} t "
            f"JOIN counted ON counted.id = t.id WHERE {_compared(recount)}"
        )
        assigned = ", ".join(f"{c} = counted.{c}" for c in recount.columns)
        repair = (
            f"WITH counted AS ({counted}) UPDATE {table} t SET {assigned} FROM counted "
            f"WHERE t.id = counted.id AND {_compared(recount)} RETURNING t.id"
        )
        repaired[table], after = 0, 0
        while ids := [
            row["id"]
            for row in await sql.fetch(
                f"SELECT id FROM {table} WHERE id > $1 ORDER BY id LIMIT $2", after, BATCH
            )
        ]:
            found = [row["id"] for row in await sql.fetch(drifted, *parameters, ids)]
            if found:
                run = partial(_repair, table, repair, parameters, found)
                repaired[table] += await sql.again_on_deadlock(run)
            after = ids[-1]
    return repaired


async def _repair(table: str, repair: str, parameters: tuple[str, ...], ids: list[int]) -> int:
    async with in_transaction() as conn:
        await sql.lock_rows(table, ids, conn)
        return len(await sql.fetch(repair, *parameters, ids, conn=conn))
