"""The training data, read from the community: weighted implicit feedback of the last days
(view 1 < like 2 < comment, answer or vote 3 < share 4) on published posts, with features."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from adapters import sql
from domain.levels import level_for_points
from domain.models import MembershipStatus, PostStatus
from recommend.model import Interactions

_PUBLISHED = PostStatus.PUBLISHED.value
WEIGHTS = {"view": 1.0, "like": 2.0, "comment": 3.0, "answer": 3.0, "vote": 3.0, "share": 4.0}

# $1 since, $2 the published status (posts, comments and answers say it the same way).
_FEEDBACK = """
SELECT 'view' AS kind, v.user_id, v.post_id FROM post_views v
  JOIN posts p ON p.id = v.post_id WHERE p.status = $2 AND v.day >= $1::date
UNION ALL SELECT 'like', l.user_id, l.post_id FROM post_likes l
  JOIN posts p ON p.id = l.post_id WHERE p.status = $2 AND l.created_at >= $1
UNION ALL SELECT 'comment', c.author_id, c.post_id FROM comments c
  JOIN posts p ON p.id = c.post_id
  WHERE p.status = $2 AND c.status = $2 AND c.created_at >= $1
UNION ALL SELECT 'answer', a.author_id, a.question_id FROM answers a
  JOIN posts p ON p.id = a.question_id
  WHERE p.status = $2 AND a.status = $2 AND a.created_at >= $1
UNION ALL SELECT 'vote', v.user_id, a.question_id FROM answer_votes v
  JOIN answers a ON a.id = v.answer_id JOIN posts p ON p.id = a.question_id
  WHERE p.status = $2 AND v.created_at >= $1
UNION ALL SELECT 'share', s.user_id, s.post_id FROM shares s
  JOIN posts p ON p.id = s.post_id WHERE p.status = $2 AND s.created_at >= $1
"""


def user_key(user_id: int) -> str:
    return f"u{user_id}"


def item_key(post_id: int) -> str:
    return f"p{post_id}"


async def user_features(
    user_ids: list[int] | None = None, level_thresholds: Sequence[int] | None = None
) -> dict[str, list[str]]:
    """Followed topics, circles and (with the community's thresholds) level of members (all,
    or the ones given)."""
    where = "" if user_ids is None else "WHERE id = ANY($1::bigint[])"
    args = [] if user_ids is None else [user_ids]
    features: dict[str, list[str]] = defaultdict(list)
    if level_thresholds is not None:
        for r in await sql.fetch(f"SELECT id, points FROM users {where}", *args):
            level = level_for_points(r["points"], level_thresholds)
            features[user_key(r["id"])].append(f"level:{level}")
    topic_where = "" if user_ids is None else "WHERE user_id = ANY($1::bigint[])"
    for r in await sql.fetch(f"SELECT user_id, topic_id FROM topic_follows {topic_where}", *args):
        features[user_key(r["user_id"])].append(f"topic:{r['topic_id']}")
    circle_where = f"WHERE status = ${len(args) + 1}" + (
        "" if user_ids is None else " AND user_id = ANY($1::bigint[])"
    )
    for r in await sql.fetch(
        f"SELECT user_id, circle_id FROM circle_members {circle_where}",
        *args,
        MembershipStatus.ACTIVE.value,
    ):
        features[user_key(r["user_id"])].append(f"circle:{r['circle_id']}")
    return dict(features)


async def build(
    days: int, level_thresholds: Sequence[int], now: datetime | None = None
) -> Interactions:
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for r in await sql.fetch(_FEEDBACK, since, _PUBLISHED):
        weights[(user_key(r["user_id"]), item_key(r["post_id"]))] += WEIGHTS[r["kind"]]
    items: dict[str, list[str]] = defaultdict(list)
    posts = await sql.fetch(
        "SELECT id, kind, circle_id, author_id FROM posts WHERE status = $2 AND created_at >= $1",
        since,
        _PUBLISHED,
    )
    for p in posts:
        key = item_key(p["id"])
        items[key] += [f"kind:{p['kind']}", f"author:{p['author_id']}"]
        if p["circle_id"] is not None:
            items[key].append(f"circle:{p['circle_id']}")
    for r in await sql.fetch(
        "SELECT pt.post_id, pt.topic_id FROM post_topics pt JOIN posts p ON p.id = pt.post_id "
        "WHERE p.status = $2 AND p.created_at >= $1",
        since,
        _PUBLISHED,
    ):
        items[item_key(r["post_id"])].append(f"topic:{r['topic_id']}")
    triples = [(u, i, w) for (u, i), w in weights.items() if i in items]
    users = await user_features(sorted({int(u[1:]) for u, _, _ in triples}), level_thresholds)
    return Interactions(triples, user_features=users, item_features=dict(items))
