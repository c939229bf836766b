"""Batched reads behind the API's DataLoaders: one query for many keys, answered in the
order of the keys asked (None, False or an empty list where nothing matched)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from tortoise.models import Model
from tortoise.timezone import get_default_timezone

from adapters import sql
from domain import access
from domain.auth import SignInCheck, read_confirming
from domain.circles import outside_closed_sql, reader_id
from domain.models import (
    CircleMember,
    EventSignup,
    Poll,
    PollOption,
    Post,
    PostKind,
    PostStatus,
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


# Hashable by value and never changed once made; not frozen, whose __init__ sets each field
# through object.__setattr__ (a page makes 27 of them).
@dataclass(slots=True, unsafe_hash=True)
class CardVersions:
    """The row versions (PostgreSQL's `xmin`: a new one with every insert or update of a
    row) of a post and of what its card shows beside the post's own row — its author, its
    topics in order, its circle — and whether the reader likes the post. Equal versions of a
    row are equal rows, so a card completed from them is the card of these versions
    (api/cards.py)."""

    post: int | None  # None: not read with the post's row (card_versions), its values key it
    author: int | None
    topics: str  # "topic:version,..." in the card's order
    circle: int | None
    liked: bool = field(compare=False)  # the reader's, not a version


# A few index probes per post (users_pkey, post_topics_order_idx alone, topics_pkey,
# circles_pkey, post_likes' unique (user_id, post_id)). Correlated scalar subqueries, so that
# the planner neither hashes all topics nor all of a prolific liker's likes for each page.
def card_version_columns(post: str, reader: str) -> str:
    """CardVersions as columns of a post row: `post` names the row (a table or its alias),
    `reader` the parameter of the reader's id (NULL or 0: likes nothing). A page's own
    statement selects them too (domain.feeds.latest_source), saving a round trip;
    `card_versions_of` reads them back."""
    return f"{post}.xmin AS _v_post, {relation_version_columns(post, reader)}"


def relation_version_columns(post: str, reader: str) -> str:
    """card_version_columns but the post's own: of a row that selected `{post}.xmin AS
    _v_post` (with_relation_versions)."""
    return f"""(SELECT u.xmin FROM users u WHERE u.id = {post}.author_id) AS _v_author,
  array_to_string(ARRAY(SELECT pt.topic_id::text || ':'
               || (SELECT t.xmin FROM topics t WHERE t.id = pt.topic_id)::text
        FROM post_topics pt WHERE pt.post_id = {post}.id ORDER BY pt.position, pt.id), ',')
    AS _v_topics,
  (SELECT c.xmin FROM circles c WHERE c.id = {post}.circle_id) AS _v_circle,
  (SELECT true FROM post_likes l WHERE l.user_id = {reader} AND l.post_id = {post}.id)
    IS NOT NULL AS _v_liked"""


def with_relation_versions(statement: str, reader: str) -> str:
    """The rows of `statement` (selected with page_columns(..., relations=False)) with their
    relations' versions beside them, in the statement's order. A statement of several
    branches (UNION ALL) then plans the version subqueries once, not once per branch: each
    execution starts every subquery of its plan, run or not (a tenth of a page's time in
    PostgreSQL)."""
    return f"SELECT p.*, {relation_version_columns('p', reader)} FROM ({statement}) p"


def card_versions_of(rows: Sequence[Mapping[str, Any]]) -> dict[int, CardVersions]:
    """Each row's CardVersions by its post's id, from card_version_columns. (A frozen row
    keeps its xmin: PostgreSQL shows the raw one, tests/api/test_cards.py.)"""
    return {
        row["id"]: CardVersions(
            row["_v_post"],
            row["_v_author"],
            row["_v_topics"],
            row["_v_circle"],
            row["_v_liked"],
        )
        for row in rows
    }


class PostHead(NamedTuple):
    """What a page of posts reads of each post when its cards are likely kept whole
    (api/cards.py): enough to place the post on the page (its cursor), to key its card with
    its versions, and to answer the viewer's own fields; the rest of the row is read only
    for the cards that are not kept. Same values as the model's (datetimes in Tortoise's
    zone), so cursors and keys are the same whichever was read."""

    id: int
    status: PostStatus
    kind: PostKind
    created_at: datetime
    pinned_at: datetime | None
    pin_scope: str | None
    pinned_until: datetime | None
    author_id: int
    circle_id: int | None
    accepted_answer_id: int | None


HEAD_COLUMNS = (
    "id, status, kind, created_at, pinned_at, pin_scope, pinned_until, author_id, circle_id, "
    "accepted_answer_id"
)


# What tells a row read with its card's versions (card_version_columns) apart from any
# other read of its post: the post's id and row version (`_v_post`, its xmin: PostgreSQL
# writes every version of a row with the id of the transaction that wrote it, so one row's
# committed versions have each their own, and equal versions are equal rows — every column
# read of the row, its head included) and its relations' versions and the reader's like.
_ROW_IDENTITY = ("id", "_v_post", "_v_author", "_v_topics", "_v_circle", "_v_liked")


def rows_key(rows: Sequence[Mapping[str, Any]], *computed: str) -> tuple[Any, ...]:
    """Equal for two reads of a page's rows (with their cards' versions) exactly when every
    column of every row is, in the same order: each row's identity (_ROW_IDENTITY) and the
    columns named, which the statement computes rather than reads from a row (LATEST's
    `_pinned`). Half the values of the rows whole, and none of their text or times to hash
    (api/kept_answers.py keys an answer with it on every request)."""
    if not rows:
        return ()
    return tuple(map(_identity(tuple(rows[0].keys()), computed), rows))


# What a page's row holds that its identity already fixes: the post's head, the row's place
# among the rows (`_row`, adapters/read_batches.py) and the confirmed sign-in's columns
# (domain.auth.read_confirming: a page is kept only where they confirmed it).
_FIXED = frozenset(HEAD_COLUMNS.split(", ")) | {"_row", "_signin_version", "_signin_live"}


@cache
def _identity(columns: tuple[str, ...], computed: tuple[str, ...]) -> Any:
    """The row's identity by place (faster than by name), for a statement's columns; a
    column neither in it nor fixed by it (one a statement computes, not named) is refused,
    so that no page is keyed without what it read."""
    unknown = set(columns) - _FIXED - {*_ROW_IDENTITY, *computed}
    if unknown:
        raise ValueError(f"a page's rows are keyed without {sorted(unknown)}")
    return itemgetter(*(columns.index(name) for name in (*_ROW_IDENTITY, *computed)))


def heads_of(rows: Sequence[Mapping[str, Any]]) -> list[PostHead]:
    """PostHeads of rows holding HEAD_COLUMNS."""
    zone = get_default_timezone()
    # asyncpg's datetimes are in UTC already: in Tortoise's UTC they are equal as they are
    # (the same instant, offset and text), and three new ones a post are not made
    convert = not _is_utc(zone)
    statuses, kinds = PostStatus._value2member_map_, PostKind._value2member_map_
    return [
        PostHead(
            row["id"],
            statuses[row["status"]],  # type: ignore[arg-type]
            kinds[row["kind"]],  # type: ignore[arg-type]
            row["created_at"].astimezone(zone) if convert else row["created_at"],
            at.astimezone(zone) if convert and (at := row["pinned_at"]) else row["pinned_at"],
            row["pin_scope"],
            to.astimezone(zone) if convert and (to := row["pinned_until"]) else row["pinned_until"],
            row["author_id"],
            row["circle_id"],
            row["accepted_answer_id"],
        )
        for row in rows
    ]


@cache
def _is_utc(zone: tzinfo) -> bool:
    return getattr(zone, "key", None) in ("UTC", "Etc/UTC") or zone is UTC


def page_columns(liker: str | None, *, heads: bool, relations: bool = True) -> str:
    """The columns a page of posts selects from `posts`: the whole rows; or, with `liker`
    (the parameter of the reader whose likes they read), the cards' versions too, beside
    the rows or beside only their heads (`heads`). page_posts reads them back. Without
    `relations`, only the post's own version: with_relation_versions adds the others."""
    if liker is None:
        return sql.columns(Post)
    posts = HEAD_COLUMNS if heads else sql.columns(Post)
    if not relations:
        return f"{posts}, posts.xmin AS _v_post"
    return f"{posts}, {card_version_columns('posts', liker)}"


def page_posts(
    rows: Sequence[Mapping[str, Any]], *, versions: bool, heads: bool
) -> tuple[list[Any], dict[int, CardVersions] | None]:
    """The posts of rows read with page_columns (models, or heads: only with versions) and,
    with versions, their cards' versions."""
    if versions and heads:
        return heads_of(rows), card_versions_of(rows)
    posts = [sql.build(Post, row) for row in rows]
    return posts, card_versions_of(rows) if versions else None


# Published, and outside every circle closed to the reader ($2; circles.reader_id): the
# access rules of a list's posts in the statement that loads them by id (HOT, RECOMMENDED).
@cache
def _readable_by_ids(versions: bool, heads: bool) -> str:
    columns = page_columns("$3" if versions else None, heads=heads)  # $3: the liker
    return (
        f"SELECT {columns} FROM posts WHERE id = ANY($1::bigint[]) "
        f"AND status = '{PostStatus.PUBLISHED.value}' "
        f"AND {outside_closed_sql('$2')}"
    )


async def readable_rows(
    ids: Sequence[int],
    viewer: User | None,
    *,
    versions: bool,
    heads: bool,
    sign_in: SignInCheck | None = None,
) -> Sequence[Mapping[str, Any]]:
    """The rows of those of `ids` the viewer may read now, in one statement: for a list of
    ids written minutes ago (a HOT snapshot, a RECOMMENDED list), a post hidden, deleted or in
    a circle closed to the viewer since is left out. Read as page_columns reads them (heads
    only with versions), for readable_posts. The statement also confirms `sign_in`
    (domain.auth.read_confirming)."""
    values: list[Any] = [list(ids), reader_id(viewer)]
    if versions:
        values.append(viewer.id if viewer is not None else None)
    return await read_confirming(_readable_by_ids(versions, heads and versions), values, sign_in)


def readable_posts(
    rows: Sequence[Mapping[str, Any]], *, versions: bool, heads: bool
) -> tuple[dict[int, Any], dict[int, CardVersions] | None]:
    """The posts of readable_rows by id, and their cards' versions (with `versions`)."""
    loaded, card_versions = page_posts(rows, versions=versions, heads=heads and versions)
    return {p.id: p for p in loaded if access.is_published(p)}, card_versions


# The post's own version is not read: the rows it would stand for were read before, by the
# page's own statement, and an edit in between would key the old row by the new version.
_CARD_VERSIONS = (
    f"SELECT p.id, NULL::bigint AS _v_post, {relation_version_columns('p', '$2')} "
    "FROM posts p WHERE p.id = ANY($1::bigint[])"
)


async def card_versions(post_ids: Sequence[int], reader_id: int | None) -> dict[int, CardVersions]:
    """Each post's CardVersions (posts that no longer exist left out) for a page of posts
    read before, by a statement without them: those of its relations only (`post` is None,
    the post's values key its card: api/cards.py), since the posts' rows at hand may be older
    than their versions now. `liked` is False for an anonymous reader."""
    return card_versions_of(await sql.fetch_records(_CARD_VERSIONS, list(post_ids), reader_id))


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
