"""What an event in the community brings about — points, badges, notifications — one
function per kind of event, called inside the transaction of the action, so that a failed
action earns and tells nothing and a retried one counts once."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain import badges
from domain.models import NotificationKind, PointsReason, TargetType
from domain.notifications import notify
from domain.points import already_awarded, award, take_back
from domain.rules import CommunityRules

_REASONS = {
    TargetType.POST: PointsReason.POST,
    TargetType.COMMENT: PointsReason.COMMENT,
    TargetType.ANSWER: PointsReason.ANSWER,
}
_TABLES = {TargetType.POST: "posts", TargetType.COMMENT: "comments", TargetType.ANSWER: "answers"}


async def content_published(
    target: TargetType, target_id: int, conn: BaseDBAsyncClient, *, rules: CommunityRules
) -> None:
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
    amount = rules.post if target is TargetType.POST else rules.reply
    await award(
        author_id,
        amount,
        reason,
        f"{target.value.lower()}:{target_id}",
        conn,
        rules=rules,
        target=(target.value, target_id),
    )
    await _tell_about_new_content(target, target_id, author_id, conn)
    if target is TargetType.POST:
        await badges.grant(author_id, "FIRST_POST", conn)
        # Paid once, for the first post (lock_earners took both rows in id order); later
        # posts find it paid without locking the inviter's row.
        inviter_id = await _unpaid_inviter(author_id, conn)
        if inviter_id is not None:
            invited = await award(
                inviter_id,
                rules.invite,
                PointsReason.INVITE,
                _invitation(author_id),
                conn,
                rules=rules,
                target=("USER", author_id),
            )
            if invited:
                await badges.grant(inviter_id, "INVITER", conn)


def _invitation(invitee_id: int) -> str:
    return f"invite:{invitee_id}"


async def lock_earners(author_id: int, conn: BaseDBAsyncClient) -> None:
    """Before a post's publication writes any member's row: lock the members it pays, in id
    order. That is its author and, while the invitation is unpaid, whoever invited them
    (content_published pays the inviter after the author, and a follow between the two
    takes both rows in id order). Without an unpaid inviter there is nothing to order."""
    inviter_id = await _unpaid_inviter(author_id, conn)
    if inviter_id is not None:
        await sql.lock_rows("users", [author_id, inviter_id], conn)


async def _unpaid_inviter(author_id: int, conn: BaseDBAsyncClient) -> int | None:
    """Whoever invited the author, while their invitation is not yet paid (read without
    locking either row)."""
    rows = await sql.fetch("SELECT invited_by_id FROM users WHERE id = $1", author_id, conn=conn)
    inviter_id: int | None = rows[0]["invited_by_id"] if rows else None
    if inviter_id is None or await already_awarded(_invitation(author_id), conn):
        return None
    return inviter_id


async def _tell_about_new_content(
    target: TargetType, target_id: int, author_id: int, conn: BaseDBAsyncClient
) -> None:
    if target is TargetType.COMMENT:
        row = (
            await sql.fetch(
                "SELECT c.post_id, c.answer_id, c.body, c.reply_to_id, "
                "COALESCE(a.author_id, p.author_id) AS owner, "
                "r.author_id AS replied_author FROM comments c JOIN posts p ON p.id = c.post_id "
                "LEFT JOIN answers a ON a.id = c.answer_id "
                "LEFT JOIN comments r ON r.id = c.reply_to_id WHERE c.id = $1",
                target_id,
                conn=conn,
            )
        )[0]
        # On an answer, the answer's author hears of it and the notification names the answer.
        on_answer = row["answer_id"] is not None
        common = {
            "actor_id": author_id,
            "post_id": row["post_id"],
            "comment_id": target_id,
            "subject_id": row["answer_id"],
        }
        replied = row["replied_author"]
        if replied is not None:
            await notify(replied, NotificationKind.REPLY, conn, snippet=row["body"], **common)
        if row["owner"] != replied:
            kind = NotificationKind.ANSWER_COMMENT if on_answer else NotificationKind.COMMENT
            await notify(row["owner"], kind, conn, snippet=row["body"], **common)
    elif target is TargetType.ANSWER:
        row = (
            await sql.fetch(
                "SELECT a.question_id, a.body, p.author_id FROM answers a "
                "JOIN posts p ON p.id = a.question_id WHERE a.id = $1",
                target_id,
                conn=conn,
            )
        )[0]
        await notify(
            row["author_id"],
            NotificationKind.ANSWER,
            conn,
            actor_id=author_id,
            post_id=row["question_id"],
            subject_id=target_id,
            snippet=row["body"],
        )


def _like_key(target: TargetType, target_id: int, liker_id: int) -> str:
    return f"like:{target.value.lower()}:{target_id}:{liker_id}"


async def like_received(
    target: TargetType,
    target_id: int,
    author_id: int,
    liker_id: int,
    conn: BaseDBAsyncClient,
    *,
    rules: CommunityRules,
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
        rules.like_received,
        PointsReason.LIKE_RECEIVED,
        _like_key(target, target_id, liker_id),
        conn,
        rules=rules,
        target=(target.value, target_id),
    )
    if rows and rows[0]["likes_received"] >= badges.LIKES_FOR_BADGE:
        await badges.grant(author_id, "LIKES_100", conn)
    post_id, comment_id = target_id, None
    if target is TargetType.COMMENT:
        post = await sql.fetch("SELECT post_id FROM comments WHERE id = $1", target_id, conn=conn)
        post_id, comment_id = post[0]["post_id"], target_id
    await notify(
        author_id,
        NotificationKind.LIKE,
        conn,
        actor_id=liker_id,
        post_id=post_id,
        comment_id=comment_id,
        group=(f"like:{target.value}:{target_id}", rules.calendar.today()),
    )


async def like_withdrawn(
    target: TargetType,
    target_id: int,
    author_id: int,
    liker_id: int,
    conn: BaseDBAsyncClient,
    *,
    rules: CommunityRules,
) -> None:
    if author_id == liker_id:
        return
    await sql.bump("users", "likes_received", author_id, -1, conn=conn)
    await take_back(
        author_id,
        _like_key(target, target_id, liker_id),
        PointsReason.LIKE_WITHDRAWN,
        conn,
        rules=rules,
    )


async def answer_accepted(
    answer_id: int,
    answerer_id: int,
    question_id: int,
    bounty: int,
    conn: BaseDBAsyncClient,
    *,
    rules: CommunityRules,
) -> None:
    await award(
        answerer_id,
        rules.accepted_answer,
        PointsReason.ACCEPTED_ANSWER,
        f"accepted:{answer_id}",
        conn,
        rules=rules,
        target=("ANSWER", answer_id),
    )
    if bounty > 0:
        await award(
            answerer_id,
            bounty,
            PointsReason.BOUNTY_PAID,
            f"bounty:paid:{question_id}",
            conn,
            rules=rules,
            target=("POST", question_id),
        )
    await badges.grant(answerer_id, "FIRST_ACCEPTED", conn)
    await notify(
        answerer_id,
        NotificationKind.ANSWER_ACCEPTED,
        conn,
        post_id=question_id,
        subject_id=answer_id,
    )


async def post_featured(
    post_id: int, author_id: int, conn: BaseDBAsyncClient, *, rules: CommunityRules
) -> None:
    await award(
        author_id,
        rules.featured,
        PointsReason.FEATURED,
        f"featured:{post_id}",
        conn,
        rules=rules,
        target=("POST", post_id),
    )
    await badges.grant(author_id, "FEATURED_AUTHOR", conn)
    await notify(author_id, NotificationKind.FEATURED, conn, post_id=post_id)
