"""Posts: create, edit, soft-delete (who may see which: domain.access)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog, points, resubmits, rewards
from domain.circles import closed_circles, is_active_member
from domain.content_status import count_published, set_status
from domain.errors import BadInput, ContentRejected, Forbidden, NotFound
from domain.media import issued_images
from domain.models import (
    Circle,
    PointsReason,
    Post,
    PostKind,
    PostStatus,
    PostTopic,
    TargetType,
    User,
)
from domain.polls import PollDraft, clean_poll, create_poll
from domain.publishing import (
    Screening,
    check_can_publish,
    check_length,
    screen_texts,
    settle,
    status_for,
)
from domain.review import open_task
from domain.rules import CommunityRules
from domain.screening import Scene, Verdict
from domain.search import search_document
from domain.topics import clean_topic_names, ensure_topics

TITLE_MAX = 60
BODY_MAX = 5000
IMAGES_MAX = 9


@dataclass(frozen=True)
class PostDraft:
    body: str
    title: str = ""
    image_urls: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    kind: PostKind = PostKind.POST
    circle_id: int | None = None
    poll: PollDraft | None = None
    bounty: int = 0


async def get_visible_post(post_id: int, viewer: User | None, *, field: str = "id") -> Post:
    post = await Post.get_or_none(id=post_id)
    closed = await closed_circles(viewer) if post is not None and post.circle_id else ()  # type: ignore[attr-defined]
    if post is None or not access.can_see_post(post, viewer, closed):
        raise NotFound("post_not_found", field=field)
    return post


async def get_published_post(
    post_id: int, *, reader: User | None, field: str = "postId", conn=None
) -> Post:
    """A post the reader can interact with (like, comment, share); NOT_FOUND otherwise."""
    query = Post.filter(id=post_id, status=PostStatus.PUBLISHED)
    post = await (query.using_db(conn) if conn else query).first()
    closed = await closed_circles(reader) if post is not None and post.circle_id else ()  # type: ignore[attr-defined]
    if post is None or not access.can_interact_with_post(post, reader, closed):
        raise NotFound("post_not_found", field=field)
    return post


def _check_text(title: str, body: str) -> tuple[str, str]:
    title = check_length(" ".join(title.split()), "title", max=TITLE_MAX, min=0, key="title_length")
    return title, check_length(body, "body", max=BODY_MAX)


async def _check_images(author: User, urls: list[str]) -> list[dict]:
    if len(urls) > IMAGES_MAX:
        raise BadInput("too_many_images", field="imageUrls", max=IMAGES_MAX)
    if not urls:
        return []
    uploads = await issued_images(author, urls, field="imageUrls")
    return [
        {"url": url, "width": upload.width, "height": upload.height}
        for url, upload in zip(urls, uploads, strict=True)
    ]


def _texts(
    title: str, body: str, topics: list[str], poll: PollDraft | None
) -> list[tuple[str, str]]:
    texts = [("title", title), ("body", body), ("topics", " ".join(topics))]
    if poll is not None:
        texts += [("poll.options", option) for option in poll.options]
    return texts


async def create_post(
    author: User,
    draft: PostDraft,
    screener: Screening,
    *,
    rules: CommunityRules,
    publish_at: datetime | None = None,
) -> Post:
    """Publish a post, question or poll (into a circle the author belongs to, if one is named)
    through the publishing pipeline; its topics are created on first use and every counter
    moves in the same transaction. Text that needs review is stored PENDING_REVIEW with a
    review task, counted nowhere. With `publish_at` (scheduling.schedule_post checks who and
    when) it is stored SCHEDULED instead: screened now, text that would need review refused
    (nobody is there to wait for it), a bounty escrowed now, counted and rewarded when the
    job publishes it (scheduling.publish_due)."""
    check_can_publish(author)
    title, body = _check_text(draft.title, draft.body)
    poll = _check_kind(draft, title, rules.bounty_max, publish_at)
    topic_names = clean_topic_names(draft.topics, body)
    images = await _check_images(author, draft.image_urls)
    texts = _texts(title, body, topic_names, poll)
    verdict = await screen_texts(screener, author, texts, Scene.FORUM)
    if publish_at is not None and verdict.needs_review:
        raise ContentRejected("scheduled_needs_review", field="body")
    status = status_for(verdict) if publish_at is None else PostStatus.SCHEDULED
    search_tokens = await asyncio.to_thread(search_document, title, body)
    async with in_transaction() as conn:
        await resubmits.hold_author(screener, author.id, conn)
        sent = await resubmits.post_sent(
            screener,
            author.id,
            kind=draft.kind,
            title=title,
            body=body,
            images=images,
            circle_id=draft.circle_id,
            publish_at=publish_at,
            poll=poll,
            bounty=draft.bounty or 0,
            topics=topic_names,
            conn=conn,
        )
        if sent is not None:  # a double tap, a retry: the first is the answer
            return await Post.get(id=sent, using_db=conn)
        if draft.circle_id is not None:
            await _check_circle_member(author, draft.circle_id, conn)
        post = await Post.create(
            author=author,
            kind=draft.kind,
            title=title,
            body=body,
            images=images,
            circle_id=draft.circle_id,
            search_tokens=search_tokens,
            status=status,
            publish_at=publish_at,
            using_db=conn,
        )
        if poll is not None:
            await create_poll(post, poll, conn)
        await _file_under_topics(post, await ensure_topics(topic_names, conn), conn)
        if draft.bounty:
            # The escrow writes the author's row, before publishing pays an inviter.
            await rewards.lock_earners(author.id, conn)
            await _escrow_bounty(author, post, draft.bounty, conn, rules)
        if publish_at is None:
            await settle(TargetType.POST, post.id, verdict, conn, rules=rules)  # counts topics
        else:
            note = publish_at.isoformat()
            await modlog.record(author, "SCHEDULE_POST", "POST", post.id, note, conn=conn)
    return post


async def _escrow_bounty(
    author: User, post: Post, bounty: int, conn: BaseDBAsyncClient, rules: CommunityRules
) -> None:
    """Take a question's bounty from the asker now; it is paid to the accepted answer."""
    escrowed = await points.award(
        author.id,
        -bounty,
        PointsReason.BOUNTY_ESCROW,
        f"bounty:escrow:{post.id}",
        conn,
        rules=rules,
        target=("POST", post.id),
    )
    if escrowed is None:
        raise BadInput("bounty_points", field="bounty")
    await Post.filter(id=post.id).using_db(conn).update(bounty=bounty)
    post.bounty = bounty


def _check_kind(
    draft: PostDraft, title: str, bounty_max: int, publish_at: datetime | None = None
) -> PollDraft | None:
    """The kind's own rules; a scheduled poll must still be open when it is published."""
    if draft.kind == PostKind.QUESTION and not title:
        raise BadInput("question_title", field="title")
    if draft.bounty and (draft.kind != PostKind.QUESTION or not 0 < draft.bounty <= bounty_max):
        raise BadInput("bounty_range", field="bounty", max=bounty_max)
    if draft.kind == PostKind.POLL:
        if draft.poll is None:
            raise BadInput("poll_required", field="poll")
        return clean_poll(draft.poll, now=publish_at)
    if draft.poll is not None:
        raise BadInput("kind_not_supported", field="poll")
    return None


async def _check_circle_member(author: User, circle_id: int, conn: BaseDBAsyncClient) -> None:
    if not await Circle.filter(id=circle_id).using_db(conn).exists():
        raise NotFound("circle_not_found", field="circleId")
    if not await is_active_member(author.id, circle_id, conn):
        raise Forbidden("not_circle_member")


async def _file_under_topics(post: Post, topic_ids: list[int], conn: BaseDBAsyncClient) -> None:
    """File the post under topics (uncounted: count_published counts a post's topics)."""
    if topic_ids:
        await PostTopic.bulk_create(
            [
                PostTopic(
                    post_id=post.id, topic_id=tid, position=i, post_created_at=post.created_at
                )
                for i, tid in enumerate(topic_ids)
            ],
            using_db=conn,
        )


async def _unfile_from_topics(post: Post, conn: BaseDBAsyncClient) -> list[int]:
    """Take the post off its topics (uncounted); return their ids."""
    rows = await sql.fetch(
        "DELETE FROM post_topics WHERE post_id = $1 RETURNING topic_id", post.id, conn=conn
    )
    return [row["topic_id"] for row in rows]


async def _refile_under_topics(post: Post, joined: list[int], conn: BaseDBAsyncClient) -> None:
    """Move the post to other topics; a published post's counts move in one statement that
    locks the topics left and joined together, in id order (the lock order), not the
    ones left and then the ones joined."""
    left = await _unfile_from_topics(post, conn)
    await _file_under_topics(post, joined, conn)
    if access.is_published(post):
        moves = dict.fromkeys(left, -1) | dict.fromkeys(joined, +1)
        for kept in set(left) & set(joined):
            moves[kept] = 0
        await sql.bump_each("topics", "post_count", moves, conn=conn)


async def _lock_own_post(author: User, post_id: int, conn: BaseDBAsyncClient) -> Post:
    post = await Post.filter(id=post_id).using_db(conn).select_for_update(no_key=True).first()
    if post is None or post.status == PostStatus.DELETED:
        raise NotFound("post_not_found", field="id")
    if post.author_id != author.id:  # type: ignore[attr-defined]
        raise Forbidden("not_author")
    return post


async def edit_post(
    author: User,
    post_id: int,
    *,
    title: str | None = None,
    body: str | None = None,
    image_urls: list[str] | None = None,
    topics: list[str] | None = None,
    screener: Screening,
) -> Post:
    """The author changes their post; what is left out stays; `editedAt` records when.
    Changed text is screened again and may send the post back to review (a scheduled post's
    is refused instead)."""
    check_can_publish(author)
    if topics is not None:
        clean_topic_names(topics, "")  # the sizes, before screening and the transaction
    verdict = Verdict()
    if title or body or topics:
        texts = [("title", title or ""), ("body", body or ""), ("topics", " ".join(topics or []))]
        verdict = await screen_texts(screener, author, texts, Scene.FORUM)
    async with in_transaction() as conn:
        post = await _lock_own_post(author, post_id, conn)
        new_title, new_body = _check_text(
            post.title if title is None else title, post.body if body is None else body
        )
        if verdict.needs_review and post.status == PostStatus.SCHEDULED:
            # It goes out unattended: text that would need review is refused, as when it was
            # scheduled.
            raise ContentRejected("scheduled_needs_review", field="body")
        images = post.images if image_urls is None else await _check_images(author, image_urls)
        joined = None  # the topics it moves to, if it moves
        if topics is not None or body is not None:
            current = [
                r["name"]
                for r in await sql.fetch(
                    "SELECT t.name FROM post_topics pt JOIN topics t ON t.id = pt.topic_id "
                    "WHERE pt.post_id = $1 ORDER BY pt.position",
                    post.id,
                    conn=conn,
                )
            ]
            # Topics kept (or given) plus any #话题# the new text mentions.
            names = clean_topic_names(current if topics is None else topics, new_body)
            if names != current:
                # New topics are made before any counter's row is locked: making one waits
                # for another writer making the same name, which may lock counters next.
                joined = await ensure_topics(names, conn)
        if verdict.needs_review:
            # Before the topics move: the member's row and then the topics it counts on are
            # locked in the lock order (content_status), and a post under review moves no
            # topic's count.
            await set_status(TargetType.POST, post.id, PostStatus.PENDING_REVIEW, conn)
            await open_task(
                TargetType.POST, post.id, verdict.review_reasons, conn, source=verdict.source
            )
            post.status = PostStatus.PENDING_REVIEW
        if joined is not None:
            await _refile_under_topics(post, joined, conn)
        post.title, post.body, post.images = new_title, new_body, images
        post.search_tokens = await asyncio.to_thread(search_document, new_title, new_body)
        post.edited_at = datetime.now(UTC)
        await post.save(
            using_db=conn, update_fields=["title", "body", "images", "search_tokens", "edited_at"]
        )
    return post


async def delete_post(author: User, post_id: int, *, rules: CommunityRules) -> None:
    """Soft delete by the author: gone from every list and counter at once."""
    async with in_transaction() as conn:
        post = await _lock_own_post(author, post_id, conn)
        if access.is_published(post):  # uncounted while its topics still list it
            await count_published(TargetType.POST, post.id, -1, conn)
        await _unfile_from_topics(post, conn)
        post.status = PostStatus.DELETED
        post.deleted_at = datetime.now(UTC)
        await post.save(using_db=conn, update_fields=["status", "deleted_at", "updated_at"])
        # Only unanswered: answers were given for the bounty, and a refund after them would let
        # an asker collect answers for free by deleting the question instead of accepting.
        if post.bounty and post.accepted_answer_id is None and post.answer_count == 0:
            await points.award(
                author.id,
                post.bounty,
                PointsReason.BOUNTY_REFUND,
                f"bounty:refund:{post.id}",
                conn,
                rules=rules,
                target=("POST", post.id),
            )
