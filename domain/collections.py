"""Editing collections (专题): their texts, the order of their posts, deleting them. (Making
one and adding or removing posts is featured.py's, with the rest of curation.)"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog
from domain.errors import BadInput, ContentRejected, Forbidden, NotFound
from domain.models import Collection, PostStatus, User
from domain.publishing import Screening, screen_texts
from domain.screening import Scene

TITLE_MAX = 60
DESCRIPTION_MAX = 500
COVER_URL_MAX = 512


@dataclass(frozen=True)
class CollectionTexts:
    title: str
    description: str
    cover_url: str


def clean_texts(title: str, description: str, cover_url: str) -> CollectionTexts:
    """A collection's title (1–60), description (≤ 500) and cover (an https URL), tidied."""
    title = " ".join(title.split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise BadInput("collection_title", field="title", max=TITLE_MAX)
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise BadInput("collection_description", field="description", max=DESCRIPTION_MAX)
    cover_url = cover_url.strip()
    if cover_url and (not cover_url.startswith("https://") or len(cover_url) > COVER_URL_MAX):
        raise BadInput("avatar_url", field="coverUrl")
    return CollectionTexts(title, description, cover_url)


async def screen_collection(actor: User, texts: CollectionTexts, screener: Screening) -> None:
    """Through the publishing pipeline's screening; a collection is public at once, so text
    that would need review is refused (CONTENT_REJECTED), as an event's is."""
    pairs = [("title", texts.title), ("description", texts.description)]
    if (await screen_texts(screener, actor, pairs, Scene.FORUM)).needs_review:
        raise ContentRejected(field="title")


async def update_collection(
    actor: User,
    collection_id: int,
    *,
    title: str | None,
    description: str | None,
    cover_url: str | None,
    screener: Screening,
) -> Collection:
    """Change what is given of a collection's title, description and cover (operators)."""
    if not access.can_curate(actor):
        raise Forbidden()
    collection = await Collection.get_or_none(id=collection_id)
    if collection is None:
        raise NotFound("collection_not_found", field="id")
    texts = clean_texts(
        collection.title if title is None else title,
        collection.description if description is None else description,
        collection.cover_url if cover_url is None else cover_url,
    )
    await screen_collection(actor, texts, screener)
    async with in_transaction() as conn:
        await (
            Collection.filter(id=collection_id)
            .using_db(conn)
            .update(title=texts.title, description=texts.description, cover_url=texts.cover_url)
        )
        await modlog.record(
            actor, "UPDATE_COLLECTION", "COLLECTION", collection_id, texts.title, conn=conn
        )
    return await Collection.get(id=collection_id)


async def hold_collection(collection_id: int, conn: BaseDBAsyncClient) -> None:
    """Before its items change: one change of a collection's order at a time (an advisory
    lock), and the collection kept until the change commits (its row's key share: a deletion,
    whose cascade takes the items in its own order, waits for it before it takes any).
    NOT_FOUND when it is gone."""
    await sql.execute("SELECT pg_advisory_xact_lock($1)", collection_id, conn=conn)
    kept = await sql.fetch(
        "SELECT 1 FROM collections WHERE id = $1 FOR KEY SHARE", collection_id, conn=conn
    )
    if not kept:
        raise NotFound("collection_not_found", field="collectionId")


async def move_in_collection(
    actor: User, collection_id: int, post_id: int, position: int
) -> Collection:
    """Put a post at `position` (0-based) among the collection's posts as readers see them
    (published ones); past the end it goes last. Posts readers do not see keep their place
    among the others."""
    if not access.can_curate(actor):
        raise Forbidden()
    if position < 0:
        raise BadInput("collection_position", field="position")
    async with in_transaction() as conn:
        await hold_collection(collection_id, conn)
        collection = await Collection.get(id=collection_id, using_db=conn)
        rows = await sql.fetch(
            "SELECT i.post_id, p.status FROM collection_items i JOIN posts p ON p.id = i.post_id "
            "WHERE i.collection_id = $1 ORDER BY i.position, i.id",
            collection_id,
            conn=conn,
        )
        order = [r["post_id"] for r in rows]
        if post_id not in order:
            raise NotFound("not_in_collection", field="postId")
        order.remove(post_id)
        shown = [r["post_id"] for r in rows if r["status"] == PostStatus.PUBLISHED.value]
        shown = [p for p in shown if p != post_id]
        if position < len(shown):
            order.insert(order.index(shown[position]), post_id)
        elif shown:
            order.insert(order.index(shown[-1]) + 1, post_id)
        else:
            order.append(post_id)
        await sql.execute(
            "UPDATE collection_items i SET position = o.n FROM unnest($2::bigint[]) "
            "WITH ORDINALITY AS o(post_id, n) WHERE i.collection_id = $1 AND i.post_id = o.post_id",
            collection_id,
            order,
            conn=conn,
        )
        note = f"{collection.title} #{position}"
        await modlog.record(actor, "MOVE_IN_COLLECTION", "POST", post_id, note, conn=conn)
    return collection


async def delete_collection(actor: User, collection_id: int) -> None:
    """Delete a collection (its posts stay where they are) (operators)."""
    if not access.can_curate(actor):
        raise Forbidden()
    async with in_transaction() as conn:
        deleted = await sql.fetch(
            "DELETE FROM collections WHERE id = $1 RETURNING title", collection_id, conn=conn
        )
        if not deleted:
            raise NotFound("collection_not_found", field="id")
        await modlog.record(
            actor, "DELETE_COLLECTION", "COLLECTION", collection_id, deleted[0]["title"], conn=conn
        )
