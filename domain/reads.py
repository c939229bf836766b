"""Batched reads behind the API's DataLoaders: one query for many keys, answered in the
order of the keys asked (None, False or an empty list where nothing matched)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise.models import Model

from adapters import sql
from domain.models import (
    CircleMember,
    EventSignup,
    Poll,
    PollOption,
    ReviewDecision,
    Topic,
    User,
    UserBadge,
)

M = TypeVar("M", bound=Model)


async def by_ids(model: type[M], ids: Sequence[int]) -> list[M | None]:
    found = {row.pk: row for row in await sql.models_by_ids(model, ids)}
    return [found.get(i) for i in ids]


async def owned(
    model: type[Model], owner_field: str, owner_id: int, target_field: str, ids: Sequence[int]
) -> list[bool]:
    """Which of the targets the owner has a row for (liked, follows...)."""
    # Column names come from the code (the API's loaders), never from input.
    rows = await sql.fetch_records(
        f"SELECT {target_field} FROM {model._meta.db_table} "
        f"WHERE {owner_field} = $1 AND {target_field} = ANY($2::bigint[])",
        owner_id,
        list(ids),
    )
    present = {row[target_field] for row in rows}
    return [i in present for i in ids]


async def owned_values(
    model: type[Model],
    owner_field: str,
    owner_id: int,
    target_field: str,
    value_field: str,
    ids: Sequence[int],
) -> list[Any]:
    """The owner's value for each target (their vote, their choice...), None if none."""
    rows = await model.filter(**{owner_field: owner_id, f"{target_field}__in": list(ids)}).values(
        target_field, value_field
    )
    found = {r[target_field]: r[value_field] for r in rows}
    return [found.get(i) for i in ids]


async def topics_of_posts(post_ids: Sequence[int]) -> list[list[Topic]]:
    rows = await sql.fetch_records(
        f"SELECT pt.post_id AS _post_id, {sql.columns(Topic, 't')} FROM post_topics pt "
        "JOIN topics t ON t.id = pt.topic_id WHERE pt.post_id = ANY($1::bigint[]) "
        "ORDER BY pt.post_id, pt.position, pt.id",
        list(post_ids),
    )
    by_post: dict[int, list[Topic]] = defaultdict(list)
    for row in rows:
        by_post[row["_post_id"]].append(sql.build(Topic, row))
    return [by_post.get(i, []) for i in post_ids]


@dataclass(frozen=True, slots=True)
class CardVersions:
    """The row versions (PostgreSQL's `xmin`: a new one with every insert or update of a
    row) of a post and of what its card shows beside the post's own row — its author, its
    topics in order, its circle — and whether the reader likes the post. Equal versions of a
    row are equal rows, so a card completed from them is the card of these versions
    (api/cards.py)."""

    post: int
    author: int | None
    topics: tuple[str, ...]
    circle: int | None
    liked: bool = field(compare=False)  # the reader's, not a version


# One round trip for a page, a few index probes per post (users_pkey, post_topics' unique
# (post_id, topic_id), topics_pkey, circles_pkey, post_likes' unique (user_id, post_id)).
# Correlated scalar subqueries, so that the planner neither hashes all topics nor all of a
# prolific liker's likes for each page.
_CARD_VERSIONS = """SELECT p.id, p.xmin AS post,
  (SELECT u.xmin FROM users u WHERE u.id = p.author_id) AS author,
  ARRAY(SELECT pt.topic_id::text || ':'
               || (SELECT t.xmin FROM topics t WHERE t.id = pt.topic_id)::text
        FROM post_topics pt WHERE pt.post_id = p.id ORDER BY pt.position, pt.id) AS topics,
  (SELECT c.xmin FROM circles c WHERE c.id = p.circle_id) AS circle,
  (SELECT true FROM post_likes l WHERE l.user_id = $2 AND l.post_id = p.id) IS NOT NULL AS liked
FROM posts p WHERE p.id = ANY($1::bigint[])"""


async def card_versions(post_ids: Sequence[int], reader_id: int | None) -> dict[int, CardVersions]:
    """Each post's CardVersions (posts that no longer exist left out); `liked` is False for
    an anonymous reader."""
    rows = await sql.fetch_records(_CARD_VERSIONS, list(post_ids), reader_id)
    return {
        row["id"]: CardVersions(
            row["post"], row["author"], tuple(row["topics"]), row["circle"], row["liked"]
        )
        for row in rows
    }


async def polls_of_posts(post_ids: Sequence[int]) -> list[Poll | None]:
    found = {p.post_id: p for p in await Poll.filter(post_id__in=list(post_ids))}  # type: ignore[attr-defined]
    return [found.get(i) for i in post_ids]


async def options_of_polls(poll_ids: Sequence[int]) -> list[list[PollOption]]:
    by_poll: dict[int, list[PollOption]] = defaultdict(list)
    for option in await PollOption.filter(poll_id__in=list(poll_ids)).order_by("position"):
        by_poll[option.poll_id].append(option)  # type: ignore[attr-defined]
    return [by_poll.get(i, []) for i in poll_ids]


async def badges_of_users(user_ids: Sequence[int]) -> list[list[UserBadge]]:
    by_user: dict[int, list[UserBadge]] = defaultdict(list)
    for badge in await UserBadge.filter(user_id__in=list(user_ids)).order_by("-created_at", "-id"):
        by_user[badge.user_id].append(badge)  # type: ignore[attr-defined]
    return [by_user.get(i, []) for i in user_ids]


async def memberships(user_id: int, circle_ids: Sequence[int]) -> list[tuple[str, str] | None]:
    """(role, status) of the member in each circle, None when not a member."""
    rows = await CircleMember.filter(user_id=user_id, circle_id__in=list(circle_ids)).values(
        "circle_id", "role", "status"
    )
    found = {r["circle_id"]: (r["role"], r["status"]) for r in rows}
    return [found.get(i) for i in circle_ids]


async def admins_of_circles(circle_ids: Sequence[int]) -> list[list[User]]:
    """Each circle's active admins, longest-serving first."""
    rows = await sql.fetch_records(
        f"SELECT m.circle_id AS _circle_id, {sql.columns(User, 'u')} FROM circle_members m "
        "JOIN users u ON u.id = m.user_id WHERE m.circle_id = ANY($1::bigint[]) "
        "AND m.role = 'ADMIN' AND m.status = 'ACTIVE' ORDER BY m.circle_id, m.created_at, m.id",
        list(circle_ids),
    )
    by_circle: dict[int, list[User]] = defaultdict(list)
    for row in rows:
        by_circle[row["_circle_id"]].append(sql.build(User, row))
    return [by_circle.get(i, []) for i in circle_ids]


async def signups(user_id: int, event_ids: Sequence[int]) -> list[tuple[bool, bool]]:
    """(signed up, checked in) of the member for each event."""
    rows = await EventSignup.filter(user_id=user_id, event_id__in=list(event_ids)).values(
        "event_id", "checked_in_at"
    )
    found = {r["event_id"]: r["checked_in_at"] is not None for r in rows}
    return [(i in found, found.get(i, False)) for i in event_ids]


async def report_reasons_of_tasks(task_ids: Sequence[int]) -> list[list[str]]:
    """The distinct reasons of the reports behind each review task, in a fixed order."""
    rows = await sql.fetch_records(
        "SELECT DISTINCT task_id, reason FROM reports WHERE task_id = ANY($1::bigint[]) "
        "ORDER BY task_id, reason",
        list(task_ids),
    )
    by_task: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        by_task[row["task_id"]].append(row["reason"])
    return [by_task.get(i, []) for i in task_ids]


async def decisions_of_tasks(task_ids: Sequence[int]) -> list[list[ReviewDecision]]:
    """Each review task's decisions, oldest first."""
    by_task: dict[int, list[ReviewDecision]] = defaultdict(list)
    for decision in await ReviewDecision.filter(task_id__in=list(task_ids)).order_by("id"):
        by_task[decision.task_id].append(decision)  # type: ignore[attr-defined]
    return [by_task.get(i, []) for i in task_ids]
