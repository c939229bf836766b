"""Featured content: pins (global or in a circle), featured posts and curated collections."""

from __future__ import annotations

from collections.abc import Collection as Many
from datetime import UTC, datetime
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog, resubmits, rewards
from domain.circles import can_admin, outside
from domain.collections import clean_texts, hold_collection, screen_collection
from domain.errors import BadInput, Forbidden, NotFound
from domain.models import (
    Collection,
    CollectionItem,
    Post,
    PostStatus,
    Role,
    User,
)
from domain.pagination import Page, keyset_page
from domain.publishing import Screening
from domain.rules import CommunityRules

PINS_MAX = 200  # pins listed at once (they are a handful)


class PinScope(StrEnum):
    GLOBAL = "GLOBAL"  # leads the LATEST feed
    CIRCLE = "CIRCLE"  # leads its circle's feed


def active_pin(scope: PinScope, now: datetime | None = None) -> Q:
    now = now or datetime.now(UTC)
    return Q(pin_scope=scope.value) & (Q(pinned_until__isnull=True) | Q(pinned_until__gt=now))


def not_pinned(scope: PinScope, now: datetime | None = None) -> Q:
    """The complement of active_pin, written so that SQL's NULLs do not hide unpinned posts."""
    now = now or datetime.now(UTC)
    return Q(pin_scope__isnull=True) | ~Q(pin_scope=scope.value) | Q(pinned_until__lte=now)


def is_pinned(post: Post, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return post.pin_scope is not None and (post.pinned_until is None or post.pinned_until > now)


def _is_operator(user: User) -> bool:
    return access.can_curate(user)


async def _published(post_id: int) -> Post:
    post = await Post.get_or_none(id=post_id, status=PostStatus.PUBLISHED)
    if post is None:
        raise NotFound("post_not_found", field="postId")
    return post


async def _operator_pin(post: Post, conn: BaseDBAsyncClient) -> bool:
    """Whether the post's active pin was set by an operator: every GLOBAL pin is; of a
    circle pin, the moderation log knows who set it."""
    if not is_pinned(post):
        return False
    if post.pin_scope == PinScope.GLOBAL.value:
        return True
    rows = await sql.fetch(
        "SELECT u.role FROM moderation_actions m JOIN users u ON u.id = m.actor_id "
        "WHERE m.target_type = 'POST' AND m.target_id = $1 AND m.action = ANY($2::text[]) "
        "ORDER BY m.id DESC LIMIT 1",
        post.id,
        [f"PIN_{scope.value}" for scope in PinScope],
        conn=conn,
    )
    return bool(rows) and Role(rows[0]["role"]).at_least(Role.OPERATOR)


async def _check_may_pin(
    actor: User, post: Post, scope: PinScope | None, conn: BaseDBAsyncClient
) -> None:
    """`scope` is the pin to set, or the one to remove (None: the post is not pinned)."""
    if scope is PinScope.CIRCLE and post.circle_id is None:  # type: ignore[attr-defined]
        raise BadInput("pin_no_circle", field="scope")
    circle_id = post.circle_id  # type: ignore[attr-defined]
    allowed = access.can_pin(
        actor,
        global_scope=scope is not PinScope.CIRCLE,
        is_circle_admin=circle_id is not None and await can_admin(actor, circle_id, conn),
        operator_pin=await _operator_pin(post, conn),
    )
    if not allowed:
        raise Forbidden() if scope is not PinScope.CIRCLE else Forbidden("not_circle_admin")


async def _locked(post_id: int, conn: BaseDBAsyncClient, **status: PostStatus) -> Post:
    post = (
        await Post.filter(id=post_id, **status)
        .using_db(conn)
        .select_for_update(no_key=True)
        .first()
    )
    if post is None:
        raise NotFound("post_not_found", field="postId")
    return post


async def pin_post(
    actor: User, post_id: int, scope: PinScope, until: datetime | None = None
) -> Post:
    """Operators pin globally; circle admins (and operators) pin inside a circle."""
    if until is not None:
        until = until if until.tzinfo else until.replace(tzinfo=UTC)
        if until <= datetime.now(UTC):
            raise BadInput("pin_until", field="until")
    async with in_transaction() as conn:
        post = await _locked(post_id, conn, status=PostStatus.PUBLISHED)
        await _check_may_pin(actor, post, scope, conn)
        await (
            Post.filter(id=post_id)
            .using_db(conn)
            .update(pin_scope=scope.value, pinned_at=datetime.now(UTC), pinned_until=until)
        )
        await modlog.record(actor, f"PIN_{scope.value}", "POST", post_id, "", conn=conn)
    return await Post.get(id=post_id)


async def unpin_post(actor: User, post_id: int) -> Post:
    async with in_transaction() as conn:
        post = await _locked(post_id, conn)
        scope = PinScope(post.pin_scope) if post.pin_scope is not None else None
        await _check_may_pin(actor, post, scope, conn)
        await (
            Post.filter(id=post_id)
            .using_db(conn)
            .update(pin_scope=None, pinned_at=None, pinned_until=None)
        )
        await modlog.record(actor, "UNPIN", "POST", post_id, "", conn=conn)
    return await Post.get(id=post_id)


async def feature_post(
    actor: User, post_id: int, reason: str = "", *, rules: CommunityRules
) -> Post:
    if not _is_operator(actor):
        raise Forbidden()
    async with in_transaction() as conn:
        # Locked while published: a deletion under way is waited for, then refused (featuring
        # pays the author, never for a post deleted before it was featured).
        post = await _locked(post_id, conn, status=PostStatus.PUBLISHED)
        newly = await (
            Post.filter(id=post_id, featured_at__isnull=True)
            .using_db(conn)
            .update(featured_at=datetime.now(UTC), feature_reason=reason.strip()[:200])
        )
        if newly:
            author_id = post.author_id  # type: ignore[attr-defined]
            await rewards.post_featured(post_id, author_id, conn, rules=rules)
        await modlog.record(actor, "FEATURE", "POST", post_id, reason, conn=conn)
    return await Post.get(id=post_id)


async def unfeature_post(actor: User, post_id: int) -> Post:
    if not _is_operator(actor):
        raise Forbidden()
    if not await Post.filter(id=post_id).exists():
        raise NotFound("post_not_found", field="postId")
    async with in_transaction() as conn:
        await Post.filter(id=post_id).using_db(conn).update(featured_at=None, feature_reason="")
        await modlog.record(actor, "UNFEATURE", "POST", post_id, "", conn=conn)
    return await Post.get(id=post_id)


async def featured_feed(
    *, closed: Many[int], first: int | None, after: str | None, cap: int
) -> Page[Post]:
    """Featured published posts, most recently featured first."""
    query = Post.filter(outside(closed), featured_at__isnull=False, status=PostStatus.PUBLISHED)
    return await keyset_page(
        query, first=first, after=after, order=("-featured_at", "-id"), cap=cap
    )


async def create_collection(
    actor: User, title: str, description: str = "", cover_url: str = "", *, screener: Screening
) -> Collection:
    """Operators make a collection; its texts are screened (collections.screen_collection)."""
    if not _is_operator(actor):
        raise Forbidden()
    texts = clean_texts(title, description, cover_url)
    await screen_collection(actor, texts, screener)
    async with in_transaction() as conn:
        await resubmits.hold_author(screener, actor.id, conn)
        sent = await resubmits.created(
            "collections", conn, screener=screener, created_by_id=actor.id, title=texts.title
        )
        if sent is not None:  # clicked twice: the first is the answer
            return await Collection.get(id=sent, using_db=conn)
        collection = await Collection.create(
            title=texts.title,
            description=texts.description,
            cover_url=texts.cover_url,
            created_by=actor,
            using_db=conn,
        )
        await modlog.record(
            actor, "CREATE_COLLECTION", "COLLECTION", collection.id, texts.title, conn=conn
        )
    return collection


async def _collection(collection_id: int) -> Collection:
    collection = await Collection.get_or_none(id=collection_id)
    if collection is None:
        raise NotFound("collection_not_found", field="collectionId")
    return collection


async def add_to_collection(actor: User, collection_id: int, post_id: int) -> Collection:
    """Append a post to a collection; adding it again changes nothing."""
    if not _is_operator(actor):
        raise Forbidden()
    collection = await _collection(collection_id)
    await _published(post_id)
    async with in_transaction() as conn:
        await hold_collection(collection_id, conn)
        await sql.fetch(
            "INSERT INTO collection_items (collection_id, post_id, position, created_at) "
            "SELECT $1, $2, COALESCE(max(position), 0) + 1, now() FROM collection_items "
            "WHERE collection_id = $1 ON CONFLICT (collection_id, post_id) DO NOTHING RETURNING id",
            collection_id,
            post_id,
            conn=conn,
        )
        await modlog.record(actor, "COLLECT", "POST", post_id, collection.title, conn=conn)
    return collection


async def remove_from_collection(actor: User, collection_id: int, post_id: int) -> Collection:
    if not _is_operator(actor):
        raise Forbidden()
    collection = await _collection(collection_id)
    async with in_transaction() as conn:
        await (
            CollectionItem.filter(collection_id=collection_id, post_id=post_id)
            .using_db(conn)
            .delete()
        )
        await modlog.record(actor, "UNCOLLECT", "POST", post_id, collection.title, conn=conn)
    return collection


async def collection_posts(
    collection_id: int, *, closed: Many[int], first: int | None, after: str | None, cap: int
) -> Page[Post]:
    """A collection's published posts in curated order."""
    query = CollectionItem.filter(
        outside(closed, "post__circle_id"),
        collection_id=collection_id,
        post__status=PostStatus.PUBLISHED,
    )
    links = await keyset_page(query, first=first, after=after, order=("position", "id"), cap=cap)
    ids = [link.post_id for link in links.items]  # type: ignore[attr-defined]
    posts = {p.id: p for p in await Post.filter(id__in=ids)}
    return Page(items=[posts[i] for i in ids], cursors=links.cursors, has_next=links.has_next)


async def collections(*, first: int | None, after: str | None, cap: int) -> Page[Collection]:
    return await keyset_page(
        Collection.all(), first=first, after=after, order=("-created_at", "-id"), cap=cap
    )


async def pinned_posts(actor: User, scope: PinScope | None) -> list[Post]:
    """The pins in force (of one scope, or both), most recently pinned first (operators)."""
    if not access.can_plan_content(actor):
        raise Forbidden()
    now = datetime.now(UTC)
    pinned = (
        active_pin(scope, now)
        if scope is not None
        else Q(pin_scope__isnull=False) & (Q(pinned_until__isnull=True) | Q(pinned_until__gt=now))
    )
    query = Post.filter(pinned, status=PostStatus.PUBLISHED)
    return await query.order_by("-pinned_at", "-id").limit(PINS_MAX)
