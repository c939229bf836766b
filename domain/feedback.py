"""The feedback desk: members write in, operators answer with visible progress."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog, resubmits
from domain.errors import BadInput, Conflict, Forbidden, NotFound
from domain.media import issued_images
from domain.models import (
    Feedback,
    FeedbackCategory,
    FeedbackStatus,
    NotificationKind,
    User,
)
from domain.notifications import notify
from domain.pagination import Counted, Page, counted_page, keyset_page
from domain.publishing import Screening, check_length, screen_texts
from domain.screening import Scene

CONTENT_MAX = 2000
REPLY_MAX = 2000
IMAGES_MAX = 9


async def submit(
    author: User,
    category: FeedbackCategory,
    content: str,
    *,
    contact: str = "",
    image_urls: list[str] | None = None,
    screener: Screening,
) -> Feedback:
    """File a ticket. The word filter applies (BLOCK refuses); it is read by operators only,
    so words that would send a post to review do not hold feedback back."""
    content = check_length(content, "content", max=CONTENT_MAX, key="feedback_content")
    contact = contact.strip()
    if len(contact) > 100:
        raise BadInput("bad_input", field="contact")
    urls = image_urls or []
    if len(urls) > IMAGES_MAX:
        raise BadInput("too_many_images", field="imageUrls", max=IMAGES_MAX)
    await issued_images(author, urls, field="imageUrls")
    await screen_texts(screener, author, [("content", content)], Scene.COMMENT)
    async with in_transaction() as conn:
        await resubmits.hold_author(screener, author.id, conn)
        sent = await resubmits.created(
            "feedback",
            conn,
            screener=screener,
            author_id=author.id,
            category=category,
            content=content,
            contact=contact,
            images=urls,
        )
        if sent is not None:  # a double tap, a retry: the first is the answer
            return await Feedback.get(id=sent, using_db=conn)
        return await Feedback.create(
            author=author,
            category=category,
            content=content,
            contact=contact,
            images=urls,
            using_db=conn,
        )


async def mine(author: User, *, first: int | None, after: str | None, cap: int) -> Page[Feedback]:
    query = Feedback.filter(author_id=author.id)
    return await keyset_page(query, first=first, after=after, order=("-created_at", "-id"), cap=cap)


async def desk(
    actor: User,
    status: FeedbackStatus | None,
    category: FeedbackCategory | None = None,
    *,
    first: int | None,
    after: str | None,
    cap: int,
) -> Counted[Feedback]:
    """Tickets for operators, oldest first (the longest-waiting is answered first), by status
    and category when given."""
    if not access.can_work_feedback_desk(actor):
        raise Forbidden()
    query = Feedback.all()
    if status:
        query = query.filter(status=status)
    if category:
        query = query.filter(category=category)
    return await counted_page(query, first=first, after=after, order=("created_at", "id"), cap=cap)


async def reply(actor: User, feedback_id: int, text: str, status: FeedbackStatus) -> Feedback:
    if not access.can_work_feedback_desk(actor):
        raise Forbidden()
    text = text.strip()
    if not 1 <= len(text) <= REPLY_MAX:
        raise BadInput("feedback_content", field="reply", max=REPLY_MAX)
    async with in_transaction() as conn:
        ticket = await sql.fetch(
            "SELECT reply, status FROM feedback WHERE id = $1 FOR NO KEY UPDATE",
            feedback_id,
            conn=conn,
        )
        if ticket and (ticket[0]["reply"], ticket[0]["status"]) == (text, status.value):
            # The same reply sent twice (clicked twice): the member is told once.
            return await Feedback.get(id=feedback_id, using_db=conn)
        # The first answer stops the SLA clock for good; resolving (or closing) is timed
        # once, and reopening clears it.
        updated = await sql.execute(
            "UPDATE feedback SET reply = $2, status = $3::varchar, replied_by_id = $4, "
            "replied_at = $5, updated_at = $5, "
            "first_replied_at = COALESCE(first_replied_at, $5), "
            "resolved_at = CASE WHEN $3::varchar IN ('RESOLVED', 'CLOSED') "
            "THEN COALESCE(resolved_at, $5) END WHERE id = $1",
            feedback_id,
            text,
            status.value,
            actor.id,
            datetime.now(UTC),
            conn=conn,
        )
        if not updated:
            raise NotFound("feedback_not_found", field="id")
        rows = await sql.fetch(
            "SELECT author_id FROM feedback WHERE id = $1", feedback_id, conn=conn
        )
        await notify(
            rows[0]["author_id"],
            NotificationKind.FEEDBACK_REPLY,
            conn,
            actor_id=actor.id,
            subject_id=feedback_id,
            snippet=text,
        )
        await modlog.record(
            actor, f"FEEDBACK_{status.value}", "FEEDBACK", feedback_id, text, conn=conn
        )
    return await Feedback.get(id=feedback_id)


async def rate(author: User, feedback_id: int, rating: int) -> Feedback:
    """The author rates a resolved ticket, once, 1 to 5."""
    if not 1 <= rating <= 5:
        raise BadInput("rating_range", field="rating")
    ticket = await Feedback.get_or_none(id=feedback_id, author_id=author.id)
    if ticket is None:
        raise NotFound("feedback_not_found", field="id")
    if ticket.status not in (FeedbackStatus.RESOLVED, FeedbackStatus.CLOSED):
        raise Conflict("rate_unresolved", field="id")
    rated = await sql.execute(
        "UPDATE feedback SET rating = $2 WHERE id = $1 AND rating IS NULL", feedback_id, rating
    )
    if not rated:
        raise Conflict("already_rated", field="id")
    return await Feedback.get(id=feedback_id)
