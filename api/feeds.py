"""Feeds: the home page's lists of posts (latest, following, featured, hot, recommended)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from functools import partial
from typing import Any, TypedDict

import strawberry
from strawberry.types import Info

from api import kept_answers
from api.compiled import memo
from api.context import Context
from api.lookahead import node_fields
from api.post_pages import cards_read_versions, post_connection
from api.posts import Post
from api.relay import Connection
from domain import featured, feeds, hot
from domain.auth import SignInCheck
from domain.errors import Unauthenticated
from domain.models import User
from domain.pagination import PageSource
from jobs.community import refresh_hot
from jobs.recommender import build_recommended_feed
from quanzi.bootstrap import Runtime
from recommend import serving


@strawberry.enum(description="Which posts a feed shows.")
class FeedKind(Enum):
    LATEST = "LATEST"
    FOLLOWING = "FOLLOWING"
    FEATURED = "FEATURED"
    HOT = "HOT"
    RECOMMENDED = "RECOMMENDED"


async def _ask_for_list(runtime: Runtime, user_id: int) -> None:
    await runtime.enqueue(build_recommended_feed, user_id)


async def rebuild_hot(runtime: Runtime, scope: str) -> None:
    """Have a scope's stale HOT snapshot rebuilt by the job (domain.hot.current_snapshot)."""
    await runtime.enqueue(refresh_hot, scope)


async def prepare_recommended(runtime: Runtime, user_id: int) -> None:
    """At sign-in: have the member's RECOMMENDED list built when they have none or an old
    one, so that their first page reads it rather than falling back to HOT."""
    if await serving.needs_feed(runtime.store, user_id):
        await _ask_for_list(runtime, user_id)


def wants_card_versions(info: Info[Context, None]) -> bool:
    """Whether the cards of a page of posts under this field read their versions
    (domain.reads.CardVersions): for the viewer's likes or for the relations they show. A
    list that can read them in its own statement (domain.feeds.latest_source) is asked to."""
    return cards_read_versions(node_fields(info), info.context.known_viewer())


def wants_heads(info: Info[Context, None]) -> bool:
    """Whether a list read with its cards' versions may read only its posts' heads
    (domain.reads.PostHead): under a compiled plan, which completes the stand-ins that
    post_connection makes of the heads of kept cards."""
    return memo.allows_stand_ins(info.context)


class PageRead(TypedDict):
    """How a list that reads its page in one statement of its own (LATEST, HOT, RECOMMENDED)
    is asked for it: the page, and what its cards read (wants_card_versions, wants_heads)."""

    first: int | None
    after: str | None
    cap: int
    versions: bool
    heads: bool
    sign_in: SignInCheck | None  # a sign-in its statement confirms (domain.auth.read_confirming)


def page_read(info: Info[Context, None], first: int | None, after: str | None) -> PageRead:
    return PageRead(
        first=first,
        after=after,
        cap=info.context.page_cap,
        versions=wants_card_versions(info),
        heads=wants_heads(info),
        sign_in=None,
    )


async def read_feed_page(
    runtime: Runtime,
    viewer: User | None,
    kind: FeedKind,
    read: PageRead,
    asks: list[Callable[[], Awaitable[object]]] | None = None,
) -> PageSource[Any]:
    """A page of LATEST, RECOMMENDED or HOT, as read: each has its access rules in its own
    statement, and each page is read the same way. The feed field reads it, or an operation
    that is only that field reads it ahead (api/kept_answers.py). With `asks`, the jobs the
    page asks for (a list or a snapshot built) are put there, not sent: read as a member
    whose sign-in is still to confirm, they go once it is (_read_ahead)."""
    store = runtime.store
    if kind is FeedKind.LATEST:
        return await feeds.latest_source(viewer, **read)
    if kind is FeedKind.RECOMMENDED and viewer is not None:
        rebuild = _later(asks, partial(_ask_for_list, runtime))
        return await serving.recommended_source(store, viewer, rebuild=rebuild, **read)
    # HOT, and anonymous readers' RECOMMENDED
    return await hot.hot_source(
        store, "all", viewer=viewer, rebuild=_later(asks, partial(rebuild_hot, runtime)), **read
    )


def _later(
    asks: list[Callable[[], Awaitable[object]]] | None, send: Callable[[Any], Awaitable[object]]
) -> Callable[[Any], Awaitable[object]]:
    """`send`, or where `asks` is given, what puts the call in `asks` instead."""
    if asks is None:
        return send

    async def put(arg: Any) -> None:
        asks.append(partial(send, arg))

    return put


async def _read_ahead(context: Context, ask: kept_answers.FeedAsk) -> PageSource[Any]:
    """The page as the feed field reads it under a compiled plan (with versions, as heads);
    read as the member of a sign-in left to confirm, its statement confirms it."""
    sign_in = context.sign_in_to_confirm()
    viewer = sign_in.member() if sign_in is not None else context.known_viewer()
    read = PageRead(
        first=ask.first,
        after=ask.after,
        cap=context.page_cap,
        versions=True,
        heads=True,
        sign_in=sign_in,
    )
    if sign_in is None:
        return await read_feed_page(context.runtime, viewer, FeedKind(ask.kind), read)
    # Nothing is done on the behalf of a member not yet confirmed: a sign-in revoked, a
    # member banned or deleted is refused before anything runs, as when checked alone.
    asks: list[Callable[[], Awaitable[object]]] = []
    try:
        return await read_feed_page(context.runtime, viewer, FeedKind(ask.kind), read, asks)
    finally:
        if asks:
            await context.confirm_sign_in()
            if context.known_viewer() is not None:
                for send in asks:
                    await send()


kept_answers.register_reader(_read_ahead)


@strawberry.type
class FeedsQuery:
    @strawberry.field(description="A feed of published posts, newest first.")
    async def feed(
        self,
        info: Info[Context, None],
        kind: FeedKind,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Post]:
        viewer = await info.context.viewer()
        cap = info.context.page_cap
        if kind in (FeedKind.LATEST, FeedKind.RECOMMENDED, FeedKind.HOT):
            read = page_read(info, first, after)
            page = None
            if read["versions"] and read["heads"]:  # as a kept answer's page is read ahead
                page = kept_answers.take_page(info.context, kind.value, first, after)
            if page is None:
                page = (await read_feed_page(info.context.runtime, viewer, kind, read)).page()
            return await post_connection(info, page)
        closed = await info.context.loaders.closed_circles(viewer)
        if kind is FeedKind.FOLLOWING:
            if viewer is None:
                raise Unauthenticated()
            page = await feeds.following(viewer, closed=closed, first=first, after=after, cap=cap)
        else:
            page = await featured.featured_feed(closed=closed, first=first, after=after, cap=cap)
        return await post_connection(info, page)
