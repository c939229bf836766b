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
    table: str,
    conn: BaseDBAsyncClient,
    *,
    screener: Screening | None = None,
    deletable: bool = False,
    **same: Any,
) -> int | None:
    """The id of the row of `table` created moments ago with these values (column names from
    the code, never from input; a list is compared as JSON): a comment or an answer sent
    again (the caller holds its post's or answer's row), a ticket or an operator's creation
    clicked twice (hold first). A `deletable` row counts unless deleted. None for what the
    seed writes (`screener` NO_SCREENING)."""
    if isinstance(screener, NoScreening):
        return None
    where = "".join(
        f" AND {column} IS NOT DISTINCT FROM ${i}" for i, column in enumerate(same, start=2)
    )
    live = " AND status <> 'DELETED'" if deletable else ""
    values = [json.dumps(v) if isinstance(v, list) else v for v in same.values()]
    rows = await sql.fetch(
        f"SELECT id FROM {table} WHERE created_at > $1{where}{live} ORDER BY id DESC LIMIT 1",
        _since(),
        *values,
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
