"""Lists of posts and comments, all keyset-paginated: newest first for posts, conversation
order for comments."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from domain import access, reads
from domain.auth import SignInCheck, read_confirming
from domain.circles import outside, outside_closed_sql, reader_id
from domain.errors import BadInput
from domain.featured import PinScope, active_pin, not_pinned
from domain.models import (
    Answer,
    AnswerStatus,
    Circle,
    Comment,
    CommentStatus,
    Post,
    PostStatus,
    PostTopic,
    TopicFollow,
    User,
    UserFollow,
)
from domain.pagination import (
    Page,
    PageSource,
    check_first,
    decode_cursor,
    decode_values,
    encode_cursor,
    keyset_page,
)

NEWEST_FIRST = ("-created_at", "-id")
OLDEST_FIRST = ("created_at", "id")


# Pinned posts lead a list, newest pin first; each has a cursor of its own (Apollo's
# relayStylePagination merges pages by cursor, so equal cursors lost pins), and paging on
# from one continues with the pins after it, then the regular list from its top.
PIN = "pin"
# What every pinned edge's cursor was before: the regular list from its top. Still read, so
# that a reader scrolling across a deploy pages on.
AFTER_PINS = "pinned"


def _pin_cursor(post: Post) -> str:
    return encode_cursor([PIN, post.pinned_at, post.id])


def _after_pin(after: str | None) -> tuple[datetime, int] | None:
    """(pinned_at, id) of the pin a cursor names; None for any other cursor."""
    if after is None or after == AFTER_PINS:
        return None
    try:
        tag, pinned_at, pk = decode_values(after, (str, datetime, int))
    except BadInput:  # a regular cursor (or garbage, which the regular list refuses)
        return None
    if tag != PIN:
        raise BadInput("bad_cursor", field="after")
    return pinned_at, pk


# Cursors of the newest posts, the most read ones: the same text for the same post every
# time (keyed with the offset too, as equal instants in other zones would print otherwise).
def _regular_cursor(post: Any) -> str:
    return _cursor_of(post.id, post.created_at, post.created_at.utcoffset())


@lru_cache(maxsize=50_000)
def _cursor_of(post_id: int, created_at: datetime, _offset: timedelta | None) -> str:
    return encode_cursor([created_at, post_id])


def _pinned_page(
    pins: list[Any], more_pins: bool, regular: Page[Any] | list[Any], size: int
) -> Page[Any]:
    """Up to `size` pins, then regular posts (models, or heads: domain.reads.PostHead) to
    fill the page (`regular` fetched one past what fits when a list)."""
    pins = pins[:size]
    if isinstance(regular, Page):
        items, cursors, more = regular.items, regular.cursors, regular.has_next
    else:
        items = regular[: size - len(pins)]
        cursors = [_regular_cursor(p) for p in items]
        more = len(regular) > len(items)
    return Page(
        items=pins + items,
        cursors=[_pin_cursor(p) for p in pins] + cursors,
        has_next=more_pins or more,
    )


async def _with_pins(
    query: QuerySet[Post], scope: PinScope, *, first: int | None, after: str | None, cap: int
) -> Page[Post]:
    """Pinned posts lead the list (counted in `first`); the rest follow newest first,
    without the pinned ones."""
    size = check_first(first, cap=cap)
    from_pin = _after_pin(after)
    pins: list[Post] = []
    if after is None or from_pin is not None:
        pinned = query.filter(active_pin(scope))
        if from_pin is not None:
            at, pk = from_pin
            pinned = pinned.filter(Q(pinned_at__lt=at) | Q(pinned_at=at, id__lt=pk))
        pins = await pinned.order_by("-pinned_at", "-id").limit(size + 1)
    shown = min(len(pins), size)
    page = await keyset_page(
        query.filter(not_pinned(scope)),
        first=size - shown,
        after=None if from_pin is not None or after == AFTER_PINS else after,
        order=NEWEST_FIRST,
        cap=cap,
    )
    return _pinned_page(pins, len(pins) > size, page, size)


# The most read list of all, in one round trip and without the query builder: the first
# page is the active global pins (newest pin first) followed by the newest other posts; later
# pages seek past the cursor on posts_status_created_idx. Same order and cursors as
# _with_pins, which circles use (tests: test_moderation's pins, test_paging). With `liker`,
# each row also carries its card's versions (domain.reads.card_version_columns).
_GLOBAL = PinScope.GLOBAL.value
_PUBLISHED = PostStatus.PUBLISHED.value
# $1 now, $2 the reader (circles.reader_id: the circles closed to them are looked up inside
# the statement), then the liker whose likes the versions read (with versions), then the
# cursor (of a pin or of a regular post, never both). The page's size is written into the
# statement (one of at most `cap` + 1 statements; an int, checked): with `LIMIT $n`,
# PostgreSQL planned the statement anew on every call (0.5 ms of its CPU, more than running
# it), since a plan for an unknown limit looked dearer than one for the limit at hand.
_READABLE = f"AND {outside_closed_sql('$2')}"
_PINS = f"""SELECT {{columns}}, true AS _pinned FROM posts
WHERE status = '{_PUBLISHED}' AND pin_scope = '{_GLOBAL}' {_READABLE}
  AND (pinned_until IS NULL OR pinned_until > $1) {{seek}}
ORDER BY pinned_at DESC, id DESC LIMIT {{limit}}"""
_PIN_SEEK = "AND pinned_at <= ${0} AND (pinned_at, id) < (${0}, ${1})"
_REGULAR = f"""SELECT {{columns}}, false AS _pinned FROM posts
WHERE status = '{_PUBLISHED}' {_READABLE}
  AND (pin_scope IS NULL OR pin_scope <> '{_GLOBAL}' OR pinned_until <= $1) {{seek}}
ORDER BY created_at DESC, id DESC LIMIT {{limit}}"""
_SEEK = "AND created_at <= ${0} AND (created_at, id) < (${0}, ${1})"


@cache
def _latest_statement(
    size: int, with_pins: bool, seek: bool, pin_seek: bool, versions: bool, heads: bool
) -> str:
    liker = "$3" if versions else None
    columns = reads.page_columns(liker, heads=heads, relations=not with_pins)
    cursor = (4, 5) if versions else (3, 4)
    limit = int(size) + 1  # one past the page: is there a next one
    regular = _REGULAR.format(
        columns=columns, seek=_SEEK.format(*cursor) if seek else "", limit=limit
    )
    if not with_pins:
        return regular
    pins = _PINS.format(
        columns=columns, seek=_PIN_SEEK.format(*cursor) if pin_seek else "", limit=limit
    )
    both = f"({pins}) UNION ALL ({regular})"
    return reads.with_relation_versions(both, liker) if liker is not None else both


async def latest_source(
    viewer: User | None,
    *,
    first: int | None,
    after: str | None,
    cap: int,
    versions: bool = False,
    heads: bool = False,
    sign_in: SignInCheck | None = None,
) -> PageSource[Any]:
    """Every published post the viewer may read, newest first, globally pinned posts leading
    the list; with `versions`, the page also holds its cards' versions (Page.versions), and
    with `heads` too, its items are only the posts' heads (domain.reads.PostHead). As read:
    with heads, its content is its rows (domain.reads.rows_key); the statement also confirms
    `sign_in` (domain.auth.read_confirming)."""
    size = check_first(first, cap=cap)
    from_pin = _after_pin(after)
    with_pins = after is None or from_pin is not None
    seek = not with_pins and after != AFTER_PINS  # after a pin: the list from its top
    values: list[object] = [datetime.now(UTC), reader_id(viewer)]
    if versions:
        values.append(viewer.id if viewer is not None else None)
    if from_pin is not None:
        values += from_pin
    elif seek:
        values += decode_cursor(after, Post, ("created_at", "id"))  # type: ignore[arg-type]
    heads = heads and versions  # one statement for the same columns
    statement = _latest_statement(size, with_pins, seek, from_pin is not None, versions, heads)
    rows = await read_confirming(statement, values, sign_in)

    def make() -> Page[Any]:
        items, card_versions = reads.page_posts(rows, versions=versions, heads=heads)
        pins: list[Any] = []
        regular: list[Any] = []
        for row, item in zip(rows, items, strict=True):
            (pins if row["_pinned"] else regular).append(item)
        page = _pinned_page(pins, len(pins) > size, regular, size)
        return replace(page, versions=card_versions) if card_versions is not None else page

    return PageSource((size, reads.rows_key(rows, "_pinned")) if heads else None, make)


async def following(
    viewer: User, *, closed: Collection[int], first: int | None, after: str | None, cap: int
) -> Page[Post]:
    """Published posts by members the viewer follows, under topics they follow, or their own."""
    followed_authors = UserFollow.filter(follower_id=viewer.id).values("followee_id")
    followed_topics = TopicFollow.filter(user_id=viewer.id).values("topic_id")
    in_followed_topics = PostTopic.filter(topic_id__in=Subquery(followed_topics)).values("post_id")
    query = Post.filter(outside(closed), status=PostStatus.PUBLISHED).filter(
        Q(author_id=viewer.id)
        | Q(author_id__in=Subquery(followed_authors))
        | Q(id__in=Subquery(in_followed_topics))
    )
    return await keyset_page(query, first=first, after=after, order=NEWEST_FIRST, cap=cap)


async def by_author(
    author_id: int,
    viewer: User | None,
    *,
    closed: Collection[int],
    first: int | None,
    after: str | None,
    cap: int,
) -> Page[Post]:
    """A member's posts; the member themself also sees those still in review or rejected."""
    query = Post.filter(author_id=author_id)
    if access.can_see_own_drafts(viewer, author_id):
        query = query.exclude(status=PostStatus.DELETED)
    else:
        query = query.filter(outside(closed), status=PostStatus.PUBLISHED)
    return await keyset_page(query, first=first, after=after, order=NEWEST_FIRST, cap=cap)


async def in_topic(
    topic_id: int, *, closed: Collection[int], first: int | None, after: str | None, cap: int
) -> Page[Post]:
    """A topic's published posts, newest first, read off the post_topics index."""
    query = PostTopic.filter(
        outside(closed, "post__circle_id"), topic_id=topic_id, post__status=PostStatus.PUBLISHED
    )
    links = await keyset_page(
        query, first=first, after=after, order=("-post_created_at", "-post_id"), cap=cap
    )
    ids = [link.post_id for link in links.items]  # type: ignore[attr-defined]
    posts = {p.id: p for p in await Post.filter(id__in=ids)}
    return Page(items=[posts[i] for i in ids], cursors=links.cursors, has_next=links.has_next)


async def comments_of(
    post_id: int, *, first: int | None, after: str | None, cap: int
) -> Page[Comment]:
    """Top-level comments of a post, oldest first."""
    query = Comment.filter(
        post_id=post_id, answer_id=None, root_id=None, status=CommentStatus.PUBLISHED
    )
    return await keyset_page(query, first=first, after=after, order=OLDEST_FIRST, cap=cap)


async def comments_of_answer(
    answer_id: int, *, first: int | None, after: str | None, cap: int
) -> Page[Comment]:
    """Top-level comments of an answer, oldest first."""
    query = Comment.filter(answer_id=answer_id, root_id=None, status=CommentStatus.PUBLISHED)
    return await keyset_page(query, first=first, after=after, order=OLDEST_FIRST, cap=cap)


async def replies_to(
    root_id: int, *, first: int | None, after: str | None, cap: int
) -> Page[Comment]:
    """The thread under a root comment, oldest first."""
    query = Comment.filter(root_id=root_id, status=CommentStatus.PUBLISHED)
    return await keyset_page(query, first=first, after=after, order=OLDEST_FIRST, cap=cap)


async def in_circle(
    circle_id: int, *, closed: Collection[int], first: int | None, after: str | None, cap: int
) -> Page[Post]:
    """A circle's published posts, newest first, the circle's pinned posts leading; none
    when the circle is closed to the viewer."""
    if circle_id in closed:
        return Page(items=[], cursors=[], has_next=False)
    query = Post.filter(circle_id=circle_id, status=PostStatus.PUBLISHED)
    return await _with_pins(query, PinScope.CIRCLE, first=first, after=after, cap=cap)


async def answers_of(
    question_id: int, *, by_votes: bool, first: int | None, after: str | None, cap: int
) -> Page[Answer]:
    """A question's answers: by votes (the accepted one first) or newest first."""
    query = Answer.filter(question_id=question_id, status=AnswerStatus.PUBLISHED)
    order = ("-is_accepted", "-vote_count", "-id") if by_votes else ("-created_at", "-id")
    return await keyset_page(query, first=first, after=after, order=order, cap=cap)


async def circles(*, first: int | None, after: str | None, cap: int) -> Page[Circle]:
    """Every circle, oldest first (the official ones lead)."""
    return await keyset_page(Circle.all(), first=first, after=after, order=("id",), cap=cap)
