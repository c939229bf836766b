"""Where actions earn points and badges: one function per kind of event, called inside the
transaction of the action, so that a failed action earns nothing and a retried one once."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from quanzi.domain import badges, sql
from quanzi.domain.models import PointsReason, TargetType
from quanzi.domain.points import award, rules, take_back

_REASONS = {
    TargetType.POST: PointsReason.POST,
    TargetType.COMMENT: PointsReason.COMMENT,
    TargetType.ANSWER: PointsReason.ANSWER,
}
_TABLES = {TargetType.POST: "posts", TargetType.COMMENT: "comments", TargetType.ANSWER: "answers"}


async def content_published(target: TargetType, target_id: int, conn: BaseDBAsyncClient) -> None:
    """A post, comment or answer became visible: its author earns (once, within the cap);
    a first post earns a badge, and the invitation award for whoever invited the author."""
    reason = _REASONS.get(target)
    if reason is None:
        return
    row = (
        await sql.fetch(
            f"SELECT author_id FROM {_TABLES[target]} WHERE id = $1", target_id, conn=conn
        )
    )[0]
    author_id = row["author_id"]
    amount = rules().post if target is TargetType.POST else rules().reply
    await award(
        author_id,
        amount,
        reason,
        f"{target.value.lower()}:{target_id}",
        conn,
        target=(target.value, target_id),
    )
    if target is TargetType.POST:
        await badges.grant(author_id, "FIRST_POST", conn)
        inviter = await sql.fetch(
            "SELECT invited_by_id FROM users WHERE id = $1", author_id, conn=conn
        )
        inviter_id = inviter[0]["invited_by_id"] if inviter else None
        if inviter_id is not None:
            invited = await award(
                inviter_id,
                rules().invite,
                PointsReason.INVITE,
                f"invite:{author_id}",
                conn,
                target=("USER", author_id),
            )
            if invited:
                await badges.grant(inviter_id, "INVITER", conn)


def _like_key(target: TargetType, target_id: int, liker_id: int) -> str:
    return f"like:{target.value.lower()}:{target_id}:{liker_id}"


async def like_received(
    target: TargetType, target_id: int, author_id: int, liker_id: int, conn: BaseDBAsyncClient
) -> None:
    if author_id == liker_id:
        return  # liking your own content earns nothing
    rows = await sql.fetch(
        "UPDATE users SET likes_received = likes_received + 1 WHERE id = $1 "
        "RETURNING likes_received",
        author_id,
        conn=conn,
    )
    await award(
        author_id,
        rules().like_received,
        PointsReason.LIKE_RECEIVED,
        _like_key(target, target_id, liker_id),
        conn,
        target=(target.value, target_id),
    )
    if rows and rows[0]["likes_received"] >= badges.LIKES_FOR_BADGE:
        await badges.grant(author_id, "LIKES_100", conn)


async def like_withdrawn(
    target: TargetType, target_id: int, author_id: int, liker_id: int, conn: BaseDBAsyncClient
) -> None:
    if author_id == liker_id:
        return
    await sql.bump("users", "likes_received", author_id, -1, conn=conn)
    await take_back(
        author_id, _like_key(target, target_id, liker_id), PointsReason.LIKE_WITHDRAWN, conn
    )


async def answer_accepted(
    answer_id: int, answerer_id: int, question_id: int, bounty: int, conn: BaseDBAsyncClient
) -> None:
    await award(
        answerer_id,
        rules().accepted_answer,
        PointsReason.ACCEPTED_ANSWER,
        f"accepted:{answer_id}",
        conn,
        target=("ANSWER", answer_id),
    )
    if bounty > 0:
        await award(
            answerer_id,
            bounty,
            PointsReason.BOUNTY_PAID,
            f"bounty:paid:{question_id}",
            conn,
            target=("POST", question_id),
        )
    await badges.grant(answerer_id, "FIRST_ACCEPTED", conn)


async def post_featured(post_id: int, author_id: int, conn: BaseDBAsyncClient) -> None:
    await award(
        author_id,
        rules().featured,
        PointsReason.FEATURED,
        f"featured:{post_id}",
        conn,
        target=("POST", post_id),
    )
    await badges.grant(author_id, "FEATURED_AUTHOR", conn)
