"""The ceiling: the service's own app and schema answering Feed(LATEST) from objects in memory.

Everything a request goes through is the served code — uvicorn with the same options as
`quanzi serve`, the Starlette app, the GraphQL view, the query guards, the schema with its
extensions, the resolvers, the DataLoaders, the access-token check — except the data layer:
on start-up the newest posts, their authors, topics and likes are read once from the database
into memory, and from then on the feed, the loaders and the viewer lookup answer from there.
What a DB-backed request costs beyond this one is what the data layer costs.

With `--raw FILE` it is the floor of the stack instead: the same uvicorn options and a bare
Starlette app answering every POST /graphql with FILE's bytes (a page the service served),
no GraphQL at all. What the service costs beyond that is what serving the page costs.

    python bench/ceiling_server.py --port 8001 [--posts 2000]   (environment as for `quanzi serve`)
    python bench/ceiling_server.py --port 8001 --raw page.json
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise.models import Model

from api.app import create_app
from domain import auth, feeds, models, reads
from domain.errors import Unauthenticated
from domain.pagination import Page, PageSource, check_first, decode_cursor, encode_cursor
from domain.tokens import TokenIssuer
from quanzi.cli import uvicorn_options
from quanzi.settings import load_settings


class Memory:
    """The newest published posts with everything a feed card reads, keyed as the DB is."""

    def __init__(self) -> None:
        self.posts: list[models.Post] = []  # newest first
        self.keys: list[tuple[float, int]] = []  # (-created_at, -id): ascending
        self.rows: dict[type[Model], dict[int, Model]] = defaultdict(dict)
        self.topics_of: dict[int, list[models.Topic]] = {}
        self.liked: set[tuple[int, int]] = set()  # (user_id, post_id)

    async def load(self, limit: int) -> None:
        self.posts = list(
            await models.Post.filter(status=models.PostStatus.PUBLISHED)
            .order_by("-created_at", "-id")
            .limit(limit)
        )
        self.keys = [(-p.created_at.timestamp(), -p.id) for p in self.posts]
        ids = [p.id for p in self.posts]
        self.rows[models.Post] = {p.id: p for p in self.posts}
        self.rows[models.User] = {u.id: u for u in await models.User.all()}
        links = await models.PostTopic.filter(post_id__in=ids).select_related("topic")
        for link in sorted(links, key=lambda link: (link.post_id, link.position)):  # type: ignore[attr-defined]
            self.topics_of.setdefault(link.post_id, []).append(link.topic)  # type: ignore[attr-defined]
        likes = await models.PostLike.filter(post_id__in=ids).values_list("user_id", "post_id")
        self.liked = {(u, p) for u, p in likes}

    async def latest(
        self, viewer: Any, *, first: int | None, after: str | None, cap: int
    ) -> Page[Any]:
        size = check_first(first, cap=cap)
        start = 0
        if after:
            created_at, post_id = decode_cursor(after, models.Post, ["created_at", "id"])
            start = bisect.bisect_right(self.keys, (-created_at.timestamp(), -post_id))
        rows = self.posts[start : start + size + 1]
        items = rows[:size]
        cursors = [encode_cursor([p.created_at, p.id]) for p in items]
        return Page(items=items, cursors=cursors, has_next=len(rows) > size)

    async def latest_source(
        self, viewer: Any, *, first: int | None, after: str | None, cap: int, **_: Any
    ) -> PageSource[Any]:
        """What the feed field reads (domain.feeds.latest_source): a page never kept whole."""
        page = await self.latest(viewer, first=first, after=after, cap=cap)
        return PageSource(None, lambda: page)

    async def by_ids(self, model: type[Model], ids: Sequence[int]) -> list[Any]:
        table = self.rows[model]
        return [table.get(i) for i in ids]

    async def topics_of_posts(self, post_ids: Sequence[int]) -> list[list[models.Topic]]:
        return [self.topics_of.get(i, []) for i in post_ids]

    async def owned(
        self,
        model: type[Model],
        owner_field: str,
        owner_id: int,
        target_field: str,
        ids: Sequence[int],
    ) -> list[bool]:
        if model is not models.PostLike:
            raise NotImplementedError(model)  # the feed reads no other relation
        return [(owner_id, i) in self.liked for i in ids]

    async def authenticate(self, tokens: TokenIssuer, access_token: str) -> models.User:
        claims = tokens.verify_access(access_token)  # the same signature and expiry check
        user = self.rows[models.User].get(claims.user_id)
        if user is None:
            raise Unauthenticated("token_invalid")
        auth.check_not_banned(user)
        return user  # type: ignore[return-value]


def create_ceiling_app(posts: int) -> Starlette:
    app = create_app()
    memory = Memory()
    served = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with served(app):
            await memory.load(posts)
            # From here on the feed, the loaders it uses and the viewer come from memory.
            feeds.latest_source = memory.latest_source  # type: ignore[assignment]
            reads.by_ids = memory.by_ids  # type: ignore[assignment]
            reads.topics_of_posts = memory.topics_of_posts
            reads.owned = memory.owned  # type: ignore[assignment]
            auth.authenticate = memory.authenticate  # type: ignore[assignment]
            yield

    app.router.lifespan_context = lifespan
    return app


def create_raw_app(body: bytes) -> Starlette:
    """Starlette answering POST /graphql with `body`, read from memory (and /healthz)."""

    async def graphql(request: Request) -> Response:
        await request.body()  # read, as the GraphQL view reads it
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--raw", type=Path, help="serve this file's bytes, no GraphQL")
    args = parser.parse_args()
    # As `quanzi serve` runs the app, one worker.
    options = uvicorn_options(load_settings())
    if args.raw is not None:
        app = create_raw_app(args.raw.read_bytes())
    else:
        app = create_ceiling_app(args.posts)
    uvicorn.run(app, host=args.host, port=args.port, **options)


if __name__ == "__main__":
    main()
