"""Polls: 2–10 options, single or multiple choice, optionally closing; one vote per member."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters import sql
from domain.circles import closed_circles, outside
from domain.errors import BadInput, Conflict, NotFound
from domain.models import Poll, PollOption, PollVoter, Post, PostStatus, User

OPTIONS_MIN, OPTIONS_MAX, OPTION_TEXT_MAX = 2, 10, 50


@dataclass(frozen=True)
class PollDraft:
    options: list[str] = field(default_factory=list)
    multiple_choice: bool = False
    closes_at: datetime | None = None


def clean_poll(draft: PollDraft, now: datetime | None = None) -> PollDraft:
    options = [" ".join(o.split()) for o in draft.options]
    if (
        not OPTIONS_MIN <= len(options) <= OPTIONS_MAX
        or any(not 1 <= len(o) <= OPTION_TEXT_MAX for o in options)
        or len({o.casefold() for o in options}) != len(options)
    ):
        raise BadInput("poll_options", field="poll.options")
    closes_at = draft.closes_at
    if closes_at is not None:
        if closes_at.tzinfo is None:
            closes_at = closes_at.replace(tzinfo=UTC)
        if closes_at <= (now or datetime.now(UTC)):
            raise BadInput("poll_closes_at", field="poll.closesAt")
    return PollDraft(options, draft.multiple_choice, closes_at)


async def create_poll(post: Post, draft: PollDraft, conn: BaseDBAsyncClient) -> Poll:
    poll = await Poll.create(
        post=post, multiple_choice=draft.multiple_choice, closes_at=draft.closes_at, using_db=conn
    )
    await PollOption.bulk_create(
        [PollOption(poll_id=poll.id, position=i, text=t) for i, t in enumerate(draft.options)],
        using_db=conn,
    )
    return poll


def is_closed(poll: Poll, now: datetime | None = None) -> bool:
    return poll.closes_at is not None and poll.closes_at <= (now or datetime.now(UTC))


async def vote_poll(user: User, post_id: int, option_ids: list[int]) -> Poll:
    """Vote once: exactly one option in a single-choice poll, one or more distinct options in a
    multiple-choice poll. Voting again, or after the poll closed, is a CONFLICT."""
    readable = outside(await closed_circles(user), "post__circle_id")
    poll = await Poll.filter(readable, post_id=post_id, post__status=PostStatus.PUBLISHED).first()
    if poll is None:
        raise NotFound("poll_not_found", field="postId")
    if is_closed(poll):
        raise Conflict("poll_closed", field="postId")
    chosen = list(dict.fromkeys(option_ids))
    if (
        len(chosen) != len(option_ids)
        or not chosen
        or (not poll.multiple_choice and len(chosen) != 1)
    ):
        raise BadInput("poll_choice", field="optionIds")
    valid = set(
        await PollOption.filter(poll_id=poll.id, id__in=chosen).values_list("id", flat=True)
    )
    if valid != set(chosen):
        raise BadInput("poll_option_unknown", field="optionIds")
    try:
        async with in_transaction() as conn:
            # Votes on one poll take turns on its row: the option counters below are then
            # never locked in two orders at once (which deadlocked under a crowd of voters).
            await sql.fetch(
                "SELECT id FROM polls WHERE id = $1 FOR NO KEY UPDATE", poll.id, conn=conn
            )
            await PollVoter.create(
                poll_id=poll.id, user_id=user.id, option_ids=chosen, using_db=conn
            )
            await sql.execute(
                "UPDATE poll_options SET vote_count = vote_count + 1 WHERE id = ANY($1::bigint[])",
                chosen,
                conn=conn,
            )
            await sql.bump("polls", "total_voters", poll.id, +1, conn=conn)
    except IntegrityError:
        raise Conflict("poll_already_voted", field="postId") from None
    return await Poll.get(id=poll.id)
