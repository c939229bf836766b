"""Scheduled publishing: operators write a post now for it to appear later.

A scheduled post is stored SCHEDULED (seen by staff and its author only: access.py), screened
and its bounty escrowed when it is scheduled. Each minute a job publishes the posts that are
due, exactly as if they were written then: the publishing pipeline's last step (counters,
topics, the author's points and badges) runs, and the post takes the time it went out, so
it lands on top of LATEST, its topics and its author's followers' feed. Its text is screened
again with the word list of that moment (words may have been added since): what would now be
refused or need a look waits in review instead of going out.

Publishing is one conditional UPDATE (… WHERE status = 'SCHEDULED'), so when two workers
race for a post one of them publishes it and the other finds nothing to do."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog, points
from domain.errors import BadInput, Conflict, ContentRejected, Forbidden, NotFound
from domain.models import PointsReason, Poll, Post, PostStatus, TargetType, User
from domain.posts import PostDraft, create_post
from domain.publishing import Screening, screen_texts, settle, status_for
from domain.rules import CommunityRules
from domain.screening import Scene, Verdict

log = logging.getLogger("quanzi.scheduling")

AHEAD_MIN = timedelta(minutes=1)
AHEAD_MAX = timedelta(days=90)
# A request takes a moment to arrive: "a minute from now" as the client computed it.
GRACE = timedelta(seconds=5)
PUBLISH_BATCH = 200  # posts read at a time
PUBLISH_ROUNDS = 50  # batches one run goes through at most (the next run goes on)
SCHEDULED = PostStatus.SCHEDULED


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_publish_at(publish_at: datetime, now: datetime | None = None) -> datetime:
    """A publish time one minute to 90 days ahead (BAD_USER_INPUT on publishAt)."""
    at, now = _utc(publish_at), now or datetime.now(UTC)
    if not now + AHEAD_MIN - GRACE <= at <= now + AHEAD_MAX:
        raise BadInput("publish_at_window", field="publishAt", days=AHEAD_MAX.days)
    return at


def _check_may_schedule(actor: User) -> None:
    if not access.can_schedule_posts(actor):
        raise Forbidden()


async def schedule_post(
    actor: User,
    draft: PostDraft,
    publish_at: datetime,
    screener: Screening,
    *,
    rules: CommunityRules,
) -> Post:
    """Store a post, question or poll to be published at `publish_at` (operators)."""
    _check_may_schedule(actor)
    at = check_publish_at(publish_at)
    return await create_post(actor, draft, screener, rules=rules, publish_at=at)


async def _lock_scheduled(post_id: int, conn: BaseDBAsyncClient) -> Post:
    post = await Post.filter(id=post_id).using_db(conn).select_for_update(no_key=True).first()
    if post is None or post.status == PostStatus.DELETED:
        raise NotFound("post_not_found", field="postId")
    if post.status != SCHEDULED:
        raise Conflict("not_scheduled", field="postId")
    return post


async def reschedule_post(actor: User, post_id: int, publish_at: datetime) -> Post:
    """Move a scheduled post to another time in the same window; a poll must still close
    after it. CONFLICT once it was published."""
    _check_may_schedule(actor)
    at = check_publish_at(publish_at)
    async with in_transaction() as conn:
        post = await _lock_scheduled(post_id, conn)
        poll = await Poll.filter(post_id=post_id).using_db(conn).first()
        if poll is not None and poll.closes_at is not None and poll.closes_at <= at:
            raise BadInput("poll_closes_at", field="publishAt")
        post.publish_at = at
        await post.save(using_db=conn, update_fields=["publish_at", "updated_at"])
        await modlog.record(actor, "RESCHEDULE_POST", "POST", post_id, at.isoformat(), conn=conn)
    return post


async def cancel_scheduled_post(actor: User, post_id: int, *, rules: CommunityRules) -> Post:
    """Call off a scheduled post: it is DELETED (gone from the calendar) and its bounty goes
    back to its author."""
    _check_may_schedule(actor)
    async with in_transaction() as conn:
        post = await _lock_scheduled(post_id, conn)
        await sql.execute("DELETE FROM post_topics WHERE post_id = $1", post_id, conn=conn)
        post.status, post.deleted_at = PostStatus.DELETED, datetime.now(UTC)
        await post.save(using_db=conn, update_fields=["status", "deleted_at", "updated_at"])
        if post.bounty:
            author_id: int = post.author_id  # type: ignore[attr-defined]
            await points.award(
                author_id,
                post.bounty,
                PointsReason.BOUNTY_REFUND,
                f"bounty:refund:{post_id}",
                conn,
                rules=rules,
                target=("POST", post_id),
            )
        await modlog.record(actor, "CANCEL_SCHEDULED_POST", "POST", post_id, "", conn=conn)
    return post


async def _screen_again(screener: Screening, post: Post) -> Verdict:
    """The post's texts against the word list (and WeChat's check) of now. What would be
    refused outright waits for a reviewer: nobody is there to be told."""
    author = await User.get(id=post.author_id)  # type: ignore[attr-defined]
    topics = await sql.fetch(
        "SELECT t.name FROM post_topics pt JOIN topics t ON t.id = pt.topic_id "
        "WHERE pt.post_id = $1 ORDER BY pt.position",
        post.id,
    )
    options = await sql.fetch(
        "SELECT o.text FROM poll_options o JOIN polls p ON p.id = o.poll_id "
        "WHERE p.post_id = $1 ORDER BY o.position",
        post.id,
    )
    texts = [("title", post.title), ("body", post.body)]
    texts += [("topics", " ".join(r["name"] for r in topics))]
    texts += [("poll.options", r["text"]) for r in options]
    try:
        return await screen_texts(screener, author, texts, Scene.FORUM)
    except ContentRejected:
        return Verdict(review_reasons=["定时发布复查：含禁止发布的内容"])


async def publish(post_id: int, screener: Screening, *, rules: CommunityRules) -> bool:
    """Publish one scheduled post now, as if written now; False when it is no longer
    scheduled (published by another run, or cancelled)."""
    post = await Post.get_or_none(id=post_id, status=SCHEDULED)
    if post is None:
        return False
    verdict = await _screen_again(screener, post)
    async with in_transaction() as conn:
        went_out = await sql.fetch(
            "UPDATE posts SET status = $2, created_at = now(), updated_at = now() "
            "WHERE id = $1 AND status = $3 RETURNING created_at",
            post_id,
            status_for(verdict).value,
            SCHEDULED.value,
            conn=conn,
        )
        if not went_out:
            return False
        await sql.execute(
            "UPDATE post_topics SET post_created_at = $2 WHERE post_id = $1",
            post_id,
            went_out[0]["created_at"],
            conn=conn,
        )
        # The pipeline's last step, as create_post takes it: counters (topics included) and
        # the author's points and badges, or the review task.
        await settle(TargetType.POST, post_id, verdict, conn, rules=rules)
    if verdict.needs_review:
        log.warning("scheduled post %s held for review: %s", post_id, verdict.review_reasons)
    return True


async def publish_due(
    screener: Screening, *, rules: CommunityRules, now: datetime | None = None
) -> list[int]:
    """Publish every scheduled post whose time has come, oldest first, a batch at a time;
    return the ids this run published."""
    now = now or datetime.now(UTC)
    published: list[int] = []
    for _ in range(PUBLISH_ROUNDS):
        # The status written out: the partial index posts_scheduled_idx is used only for a
        # constant (a statement's parameter does not prove its predicate).
        due = await sql.fetch(
            f"SELECT id FROM posts WHERE status = '{SCHEDULED.value}' AND publish_at <= $1 "
            "ORDER BY publish_at, id LIMIT $2",
            now,
            PUBLISH_BATCH,
        )
        published += [row["id"] for row in due if await publish(row["id"], screener, rules=rules)]
        if len(due) < PUBLISH_BATCH:
            break
    return published
