"""A member's post, comment, answer or feedback ticket sent twice: a double tap, or the same
request sent again after no answer came (a weak mobile network); an operator's creation
clicked twice (a survey, an event, a mall item, a collection, a sanction). The first is the
answer to both: the second is not written again, counted again, rewarded or paid again,
escrowed again (a question's bounty), nor refused as a second answer to the question.

"The same" is what was sent: the same kind, title, body, images, circle, publishing time,
poll, bounty and topics of a post; the same body of a comment in the same place (the post or
answer and the comment it replies to), of an answer to the same question; the same ticket;
an operator's creation of the same title (and place and time, for an event; the same
member, kind and reason for a sanction). Within RESUBMIT_SECONDS of the first, which is not
deleted. The second waits for the first while it is still being written: a member's
creations are written one at a time (an advisory lock, taken before any row), and comments
and answers on one post or answer already are (its row's lock), so two taps at once find
each other.

Only what a member sends is checked: the seed and the importers write with NO_SCREENING
(never a member's request), and their texts repeat on purpose."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain.polls import PollDraft
from domain.screening import NoScreening, Screening

# How long the same text from the same member is taken for the first one sent again.
RESUBMIT_SECONDS = 60

# pg_advisory_xact_lock(int, int)'s first key for a member's creations ("po"); the two-key
# space is apart from the one-key space the other advisory locks use.
_CREATIONS = 0x706F


async def hold(member_id: int, conn: BaseDBAsyncClient) -> None:
    """One creation of the member's (a post, a ticket; an operator's survey, event, item or
    collection) written at a time, until the caller's transaction ends."""
    await sql.execute(
        "SELECT pg_advisory_xact_lock($1, $2)", _CREATIONS, member_id % 2**31, conn=conn
    )


async def hold_author(screener: Screening, author_id: int, conn: BaseDBAsyncClient) -> None:
    """hold, for what a member sends (not for the seed's and importers' writes)."""
    if not isinstance(screener, NoScreening):
        await hold(author_id, conn)


async def created(
    table: str, conn: BaseDBAsyncClient, *, screener: Screening | None = None, **same: Any
) -> int | None:
    """The id of the row of `table` created moments ago with these values (column names from
    the code, never from input): an operator's creation clicked twice (hold first). None
    for what the seed writes (`screener` NO_SCREENING)."""
    if isinstance(screener, NoScreening):
        return None
    where = " AND ".join(
        f"{column} IS NOT DISTINCT FROM ${i}" for i, column in enumerate(same, start=2)
    )
    rows = await sql.fetch(
        f"SELECT id FROM {table} WHERE created_at > $1 AND {where} ORDER BY id DESC LIMIT 1",
        _since(),
        *same.values(),
        conn=conn,
    )
    return rows[0]["id"] if rows else None


# The same post: the columns the member wrote, and the poll's (NULL without one) beside the
# draft's.
_POLL = "(SELECT {} FROM polls pl WHERE pl.post_id = posts.id)"
_OPTIONS = (
    "ARRAY(SELECT o.text::text FROM poll_options o WHERE o.poll_id = pl.id ORDER BY o.position)"
)
_POST_SENT = (
    "SELECT id FROM posts WHERE author_id = $1 AND created_at > $2 AND status <> 'DELETED' "
    "AND kind = $3 AND title = $4 AND body = $5 AND images = $6::jsonb "
    "AND circle_id IS NOT DISTINCT FROM $7 AND publish_at IS NOT DISTINCT FROM $8 "
    f"AND {_POLL.format(_OPTIONS)} IS NOT DISTINCT FROM $9::text[] "
    f"AND {_POLL.format('pl.multiple_choice')} IS NOT DISTINCT FROM $10::bool "
    f"AND {_POLL.format('pl.closes_at')} IS NOT DISTINCT FROM $11::timestamptz "
    "AND bounty = $12 AND ARRAY(SELECT t.name::text FROM post_topics pt JOIN topics t "
    'ON t.id = pt.topic_id WHERE pt.post_id = posts.id ORDER BY t.name COLLATE "C") = $13::text[] '
    "ORDER BY id DESC LIMIT 1"
)


def _since() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=RESUBMIT_SECONDS)


async def post_sent(
    screener: Screening,
    author_id: int,
    *,
    kind: str,
    title: str,
    body: str,
    images: list[dict[str, Any]],
    circle_id: int | None,
    publish_at: datetime | None,
    poll: PollDraft | None,
    bounty: int,
    topics: list[str],
    conn: BaseDBAsyncClient,
) -> int | None:
    """The id of the same post, sent by the member moments ago (hold_author first)."""
    if isinstance(screener, NoScreening):
        return None
    rows = await sql.fetch(
        _POST_SENT,
        author_id,
        _since(),
        kind,
        title,
        body,
        json.dumps(images),
        circle_id,
        publish_at,
        poll.options if poll else None,
        poll.multiple_choice if poll else None,
        poll.closes_at if poll else None,
        bounty,
        sorted(topics),  # code point order, as COLLATE "C"
        conn=conn,
    )
    return rows[0]["id"] if rows else None


async def comment_sent(
    screener: Screening,
    author_id: int,
    *,
    post_id: int,
    answer_id: int | None,
    reply_to_id: int | None,
    body: str,
    conn: BaseDBAsyncClient,
) -> int | None:
    """The id of the same comment, sent by the member moments ago (the caller holds the
    post's or the answer's row)."""
    if isinstance(screener, NoScreening):
        return None
    rows = await sql.fetch(
        "SELECT id FROM comments WHERE post_id = $1 AND author_id = $2 AND created_at > $3 "
        "AND status <> 'DELETED' AND answer_id IS NOT DISTINCT FROM $4 "
        "AND reply_to_id IS NOT DISTINCT FROM $5 AND body = $6 ORDER BY id DESC LIMIT 1",
        post_id,
        author_id,
        _since(),
        answer_id,
        reply_to_id,
        body,
        conn=conn,
    )
    return rows[0]["id"] if rows else None


async def answer_sent(
    screener: Screening, author_id: int, *, question_id: int, body: str, conn: BaseDBAsyncClient
) -> int | None:
    """The id of the same answer, sent by the member moments ago (the caller holds the
    question's row)."""
    if isinstance(screener, NoScreening):
        return None
    rows = await sql.fetch(
        "SELECT id FROM answers WHERE question_id = $1 AND author_id = $2 AND created_at > $3 "
        "AND status <> 'DELETED' AND body = $4",
        question_id,
        author_id,
        _since(),
        body,
        conn=conn,
    )
    return rows[0]["id"] if rows else None


async def ticket_sent(
    screener: Screening,
    author_id: int,
    *,
    category: str,
    content: str,
    contact: str,
    images: list[str],
    conn: BaseDBAsyncClient,
) -> int | None:
    """The id of the same feedback ticket, filed by the member moments ago (hold_author
    first)."""
    if isinstance(screener, NoScreening):
        return None
    rows = await sql.fetch(
        "SELECT id FROM feedback WHERE author_id = $1 AND created_at > $2 AND category = $3 "
        "AND content = $4 AND contact = $5 AND images = $6::jsonb ORDER BY id DESC LIMIT 1",
        author_id,
        _since(),
        category,
        content,
        contact,
        json.dumps(images),
        conn=conn,
    )
    return rows[0]["id"] if rows else None
