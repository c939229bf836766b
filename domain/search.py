"""Search that works for Chinese: jieba tokens in a tsvector('simple') column with a GIN index
for posts and questions; nicknames and topic names by substring."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.expressions import Q

from adapters import sql
from domain.errors import BadInput
from domain.models import Post, PostKind, PostStatus, Topic, User
from domain.pagination import check_first, decode_values, encode_cursor

QUERY_MAX = 50
_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_jieba_lock = threading.Lock()


class SearchKind(StrEnum):
    POSTS = "POSTS"
    QUESTIONS = "QUESTIONS"
    USERS = "USERS"
    TOPICS = "TOPICS"


def _jieba():
    import jieba

    with _jieba_lock:
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
    return jieba


def warm_up() -> None:
    """Load jieba's dictionary (about a second) before the first search or post needs it."""
    _jieba()


def tokens(text: str) -> list[str]:
    """Search tokens of a text: jieba's fine-grained cut (so 两字词 inside longer words are
    found), lower-cased, without punctuation or spaces."""
    return [t.lower() for t in _jieba().lcut_for_search(text) if _WORD.search(t)]


def search_document(title: str, body: str) -> str:
    return " ".join(tokens(f"{title}\n{body}"))


@dataclass(frozen=True)
class SearchPage:
    items: list[Post | User | Topic]
    cursors: list[str]
    has_next: bool

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def _check_query(query: str) -> str:
    query = " ".join(query.split())
    if not 1 <= len(query) <= QUERY_MAX:
        raise BadInput("search_query", field="query", max=QUERY_MAX)
    return query


async def search(
    query: str,
    kind: SearchKind,
    *,
    closed: Collection[int],
    first: int | None,
    after: str | None,
    cap: int,
) -> SearchPage:
    """One page of results: posts and questions by relevance then recency; members and topics
    by popularity. Only published content is found."""
    text = _check_query(query)
    size = check_first(first, cap=cap)
    if kind in (SearchKind.POSTS, SearchKind.QUESTIONS):
        return await _search_posts(text, kind, size, after, closed)
    return await _search_names(text, kind, size, after)


async def _search_posts(
    text: str, kind: SearchKind, size: int, after: str | None, closed: Collection[int]
) -> SearchPage:
    terms = sorted(set(tokens(text)))
    if not terms:
        return SearchPage([], [], False)
    # QUESTIONS finds questions; POSTS finds everything else (posts and polls).
    wanted = [PostKind.QUESTION] if kind is SearchKind.QUESTIONS else [PostKind.POST, PostKind.POLL]
    kinds = [k.value for k in wanted]
    # Every query term must match; rank by ts_rank, then newest, then id (unique).
    query = " & ".join(_quote(t) for t in terms)
    params: list[object] = [query, kinds, size + 1, PostStatus.PUBLISHED.value, list(closed)]
    keyset = ""
    if after:
        rank, created_at, post_id = decode_values(after, (float, datetime, int))
        params += [rank, created_at, post_id]
        keyset = "WHERE (r.rank, r.created_at, r.id) < ($6::real, $7::timestamptz, $8::bigint)"
    rows = await sql.fetch(
        f"""
        SELECT r.id, r.rank, r.created_at FROM (
            SELECT p.id, p.created_at, ts_rank(p.search_vector, q)::real AS rank
            FROM posts p, to_tsquery('simple', $1) q
            WHERE p.search_vector @@ q AND p.status = $4 AND p.kind = ANY($2::text[])
              AND (p.circle_id IS NULL OR p.circle_id <> ALL($5::bigint[]))
        ) r {keyset}
        ORDER BY r.rank DESC, r.created_at DESC, r.id DESC
        LIMIT $3
        """,
        *params,
    )
    has_next = len(rows) > size
    rows = rows[:size]
    posts = {p.id: p for p in await Post.filter(id__in=[r["id"] for r in rows])}
    return SearchPage(
        items=[posts[r["id"]] for r in rows],
        cursors=[encode_cursor([r["rank"], r["created_at"], r["id"]]) for r in rows],
        has_next=has_next,
    )


def _quote(term: str) -> str:
    # A term in to_tsquery syntax: quoted so that nothing in it acts as an operator.
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


async def _search_names(text: str, kind: SearchKind, size: int, after: str | None) -> SearchPage:
    model: type[User] | type[Topic]
    if kind is SearchKind.USERS:
        model, column, popularity = User, "nickname", "follower_count"
    else:
        model, column, popularity = Topic, "name", "post_count"
    query = model.filter(**{f"{column}__icontains": text})
    if after:
        count, pk = decode_values(after, (int, int))
        query = query.filter(
            Q(**{f"{popularity}__lt": count}) | Q(**{popularity: count, "id__lt": pk})
        )
    rows = await query.order_by(f"-{popularity}", "-id").limit(size + 1)
    has_next = len(rows) > size
    rows = rows[:size]
    return SearchPage(
        items=list(rows),
        cursors=[encode_cursor([getattr(r, popularity), r.id]) for r in rows],
        has_next=has_next,
    )
