"""A page of posts as a connection: the look-ahead that loads a page of cards' relations in
one round, with the cards' versions, and the stand-ins of cards seen kept (api/cards.py)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable
from datetime import UTC, datetime

from strawberry.types import Info

from api.compiled import memo
from api.context import Context
from api.loaders import forget, prefetch
from api.lookahead import node_fields
from api.posts import Post
from api.relay import Connection, connection_from_page
from domain import feeds, models, reads
from domain.featured import is_pinned


class PostStandIn(Post, memo.StandIn):
    """A card's post read only as far as its head (domain.reads.PostHead), in a page where
    the card was seen kept (api.compiled.memo.StandIn): its key (api/cards.py) and the
    viewer's fields read nothing else; `hydrate` loads the rest."""

    def __init__(self, head: reads.PostHead, now: datetime) -> None:  # only these fields
        self.pk = head.id
        self.kind = head.kind
        self.author_id = head.author_id
        self.circle_id = head.circle_id
        self.accepted_answer_id = head.accepted_answer_id
        self.is_pinned = is_pinned(head, now)  # type: ignore[arg-type]

    async def hydrate(self, context: Context) -> Post:
        post = await context.loaders.post.load(self.pk)
        if post is None:
            raise LookupError(f"post {self.pk} is gone")
        return Post.from_model(post)


async def post_connection(info: Info[Context, None], page: feeds.Page) -> Connection[Post]:
    """A page of posts whose cards' relations are loaded before the cards resolve: with the
    relations' versions and the viewer's likes (read with the page, or in one round trip),
    the relations of the cards not already kept (api/cards.py). A page read as heads
    (wants_heads) loads the rows of those cards only; a kept one is a PostStandIn."""
    context = info.context
    loaders = context.loaders
    items: list = page.items
    wanted = node_fields(info)
    viewer = context.known_viewer()
    versions = page.versions
    if items and versions is None and cards_read_versions(wanted, viewer):
        versions = await reads.card_versions([p.id for p in items], viewer.id if viewer else None)
    kept: set[int] = set()
    if versions is not None:
        # viewerHasLiked reads them too. Two connections in one query (`hot: feed(HOT)
        # latest: feed(LATEST)`) read theirs at different times: the first read of a post
        # stands, so an edit between the two never keys the first one's older row by the
        # second one's newer version (a newer row under an older version is harmless).
        if loaders.card_versions:
            for post_id, read in versions.items():
                loaders.card_versions.setdefault(post_id, read)
        else:
            loaders.card_versions.update(versions)
        kept = {p.id for p in items if p.id in versions and memo.seen((p.id, versions[p.id]))}
        # The relations a card keyed by these versions shows are loaded after them: a row
        # this request loaded before (a profile's member, a circle feed's circle) may be older
        # than its version now, and would be kept as the card of the newer row (api/cards.py).
        forget(loaders.user, (p.author_id for p in items))
        forget(loaders.circle, (p.circle_id for p in items if p.circle_id is not None))
        forget(loaders.topics_of_post, (p.id for p in items))
    stand_ins: dict[int, Post] = {}
    if items and isinstance(items[0], reads.PostHead):
        now = datetime.now(UTC)
        # a stand-in whose kept card is gone after all is completed from its row (hydrate),
        # which must not be one this request loaded before the heads' versions were read
        forget(loaders.post, kept)
        stand_ins = {h.id: PostStandIn(h, now) for h in items if h.id in kept}
        missing = [h.id for h in items if h.id not in kept]
        rows = await reads.by_ids(models.Post, missing) if missing else []
        loaded = {p.id: p for p in rows if p is not None}
        cards = list(loaded.values())
        # the heads of kept cards and the rows of the others (a row gone since its head was
        # read is left out: none is ever deleted, only its status changes)
        placed = [
            (loaded.get(p.id, p), cursor)
            for p, cursor in zip(items, page.cursors, strict=True)
            if p.id in stand_ins or p.id in loaded
        ]
        page = dataclasses.replace(
            page, items=[p for p, _ in placed], cursors=[c for _, c in placed]
        )
    else:
        cards = [p for p in items if p.id not in kept]
    pks = [p.id for p in cards]
    loads: list[Awaitable[None]] = []
    if cards:  # with every card kept, nothing to load (and no task made for nothing)
        if "author" in wanted:
            loads.append(prefetch(loaders.user, [p.author_id for p in cards]))  # type: ignore[attr-defined]
        if "topics" in wanted:
            loads.append(prefetch(loaders.topics_of_post, pks))
        circle_ids = [p.circle_id for p in cards if p.circle_id is not None]  # type: ignore[attr-defined]
        if "circle" in wanted and circle_ids:
            loads.append(prefetch(loaders.circle, circle_ids))
        poll_posts = [p.id for p in cards if p.kind == models.PostKind.POLL]
        if "poll" in wanted and poll_posts:
            loads.append(prefetch(loaders.poll_of_post, poll_posts))
    if len(loads) == 1:
        await loads[0]
    elif loads:
        await asyncio.gather(*loads)
    if stand_ins:
        return connection_from_page(page, lambda p: stand_ins.get(p.id) or Post.from_model(p))  # type: ignore[attr-defined, arg-type]
    return connection_from_page(page, Post.from_model)  # type: ignore[arg-type]


CARD_RELATIONS = frozenset(("author", "topics", "circle"))


def cards_read_versions(wanted: frozenset[str], viewer: models.User | None) -> bool:
    """Whether cards selecting `wanted` read their versions (domain.reads.CardVersions): for
    the viewer's likes, or for the relations they show."""
    return ("viewerHasLiked" in wanted and viewer is not None) or not wanted.isdisjoint(
        CARD_RELATIONS
    )
