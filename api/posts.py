"""Posts (plain posts, questions, polls): the card, writing, likes and shares, and the
look-ahead that loads a page of cards' relations in one round."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from api.answers import Answer, AnswerOrder
from api.circles import Circle
from api.comments import Comment, comment_connection
from api.compiled import memo
from api.context import Context
from api.ids import pk_of, to_global_id
from api.loaders import Loaders, forget, prefetch
from api.lookahead import node_fields
from api.polls import Poll, PollInput
from api.relay import Connection, Node, OkPayload, connection_from_page
from api.strawberry_internals import now_or_later
from api.topics import Topic
from api.users import User, user_of
from domain import access, feeds, likes, models, posts, reads, shares, tasks
from domain.featured import is_pinned
from domain.polls import PollDraft

PostKind = strawberry.enum(models.PostKind, name="PostKind")
PostStatus = strawberry.enum(
    models.PostStatus,
    name="PostStatus",
    description="Only PUBLISHED posts are seen by others; the author sees the rest too "
    "(and staff all but DELETED). SCHEDULED: waiting for its publishAt (schedulePost).",
)
ShareChannel = strawberry.enum(models.ShareChannel, name="ShareChannel")


@strawberry.type(description="An image of a post, as uploaded to this service.")
class Image:
    url: str
    width: int
    height: int


@strawberry.type(description="A post, question or poll.")
class Post(Node):
    id: strawberry.ID
    kind: PostKind  # type: ignore[valid-type]
    status: PostStatus  # type: ignore[valid-type]
    title: str
    body: str
    images: list[Image]
    created_at: datetime = strawberry.field(
        description="When it went out (a scheduled post: when the job published it)."
    )
    edited_at: datetime | None
    publish_at: datetime | None = strawberry.field(
        description="When a scheduled post goes (or went) out; null for a post never scheduled."
    )
    like_count: int
    comment_count: int
    share_count: int
    view_count: int
    answer_count: int
    bounty: int
    pk: strawberry.Private[int]
    author_id: strawberry.Private[int]
    circle_id: strawberry.Private[int | None]
    accepted_answer_id: strawberry.Private[int | None]

    @strawberry.field
    def author(self, info: Info[Context, None]) -> User:
        return user_of(info, self.author_id)  # type: ignore[return-value]

    @strawberry.field
    def topics(self, info: Info[Context, None]) -> list[Topic]:
        return now_or_later(info.context.loaders.topics_of_post, self.pk, _topics)  # type: ignore[return-value]

    @strawberry.field
    def viewer_has_liked(self, info: Info[Context, None]) -> bool:
        return viewer_has_liked(self, info.context)  # type: ignore[return-value]

    # The fields below answer at once when there is nothing to load (most posts are in no
    # circle, no poll, no accepted answer): a coroutine per card and field costs real time.

    @strawberry.field(description="The circle the post belongs to, if any.")
    def circle(self, info: Info[Context, None]) -> Circle | None:
        if self.circle_id is None:
            return None
        return now_or_later(info.context.loaders.circle, self.circle_id, _circle)  # type: ignore[return-value]

    is_pinned: bool = strawberry.field(description="Pinned (globally or in its circle).")
    is_featured: bool = strawberry.field(description="Chosen by operators as featured content.")

    @strawberry.field
    def poll(self, info: Info[Context, None]) -> Poll | None:
        if self.kind != models.PostKind.POLL:
            return None
        return now_or_later(info.context.loaders.poll_of_post, self.pk, _poll)  # type: ignore[return-value]

    @strawberry.field
    def accepted_answer(self, info: Info[Context, None]) -> Answer | None:
        if self.accepted_answer_id is None:
            return None
        return self._accepted_answer(info, self.accepted_answer_id)  # type: ignore[return-value]

    async def _accepted_answer(self, info: Info[Context, None], answer_id: int) -> Answer | None:
        answer = await info.context.loaders.answer.load(answer_id)
        if answer is None or not access.is_published(answer):  # under this post, already seen
            return None
        return Answer.from_model(answer)

    @strawberry.field(description="Answers of a question.")
    async def answers(
        self,
        info: Info[Context, None],
        order_by: AnswerOrder | None = AnswerOrder.VOTES,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Answer]:
        page = await feeds.answers_of(
            self.pk,
            by_votes=order_by is not AnswerOrder.NEWEST,
            first=first,
            after=after,
            cap=info.context.page_cap,
        )
        return connection_from_page(page, Answer.from_model)  # type: ignore[arg-type]

    @strawberry.field(description="Top-level comments, oldest first.")
    async def comments(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Comment]:
        page = await feeds.comments_of(self.pk, first=first, after=after, cap=info.context.page_cap)
        return await comment_connection(info, page)

    @classmethod
    def from_model(cls, post: models.Post) -> Post:
        return cls(
            id=strawberry.ID(to_global_id("Post", post.id)),
            kind=post.kind,
            status=post.status,
            title=post.title,
            body=post.body,
            images=[Image(url=i["url"], width=i["width"], height=i["height"]) for i in post.images],
            created_at=post.created_at,
            edited_at=post.edited_at,
            publish_at=post.publish_at,
            like_count=post.like_count,
            comment_count=post.comment_count,
            share_count=post.share_count,
            view_count=post.view_count,
            answer_count=post.answer_count,
            bounty=post.bounty,
            pk=post.id,
            author_id=post.author_id,  # type: ignore[attr-defined]
            circle_id=post.circle_id,  # type: ignore[attr-defined]
            accepted_answer_id=post.accepted_answer_id,
            is_pinned=is_pinned(post),
            is_featured=post.featured_at is not None,
        )


def viewer_has_liked(post: Post, context: Context) -> bool | Awaitable[bool]:
    """Post.viewerHasLiked (also run on kept cards by api/cards.py): as read with the page's
    versions (for this viewer: post_connection), else by the viewer's likes loader."""
    if context.known_viewer() is not None:
        versions = context.loaders.card_versions.get(post.pk)
        if versions is not None:
            return versions.liked
    return context.viewer_relation(Loaders.liked_post, post.pk)


def _topics(topics: list[models.Topic]) -> list[Topic]:
    return [Topic.from_model(t) for t in topics]


def _circle(circle: models.Circle | None) -> Circle | None:
    return Circle.from_model(circle) if circle else None


def _poll(poll: models.Poll | None) -> Poll | None:
    return Poll.from_model(poll) if poll else None


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
        loaders.card_versions.update(versions)  # viewerHasLiked reads them too
        kept = {p.id for p in items if p.id in versions and memo.seen((p.id, versions[p.id]))}
        # The relations a card keyed by these versions shows are loaded after them: a row
        # this request loaded before (a profile's member, a circle feed's circle) may be older
        # than its version now, and would be kept as the card of the newer row (api/cards.py).
        forget(loaders.user, [p.author_id for p in items])
        forget(loaders.circle, [p.circle_id for p in items if p.circle_id is not None])
        forget(loaders.topics_of_post, [p.id for p in items])
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
    if loads:
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


@strawberry.input
class CreatePostInput:
    body: str = strawberry.field(description="1–5000 characters; #话题# marks a topic.")
    kind: PostKind = models.PostKind.POST  # type: ignore[valid-type]
    title: str | None = strawberry.field(default=None, description="Up to 60 characters.")
    image_urls: list[str] | None = strawberry.field(
        default=None,
        description="Up to 9 URLs returned by POST /media/images, as issued or with a CDN "
        "processing suffix (`?imageView2/2/w/400`, `?x-oss-process=…`, `!thumb`), kept as "
        "given; width and height stay the original's.",
    )
    topics: list[str] | None = strawberry.field(
        default=None, description="Topic names; with those in the body at most 5."
    )
    circle_id: strawberry.ID | None = strawberry.field(
        default=None, description="Post into a circle the author is a member of."
    )
    poll: PollInput | None = strawberry.field(default=None, description="For kind POLL.")
    bounty: int = strawberry.field(
        default=0, description="For a QUESTION: points escrowed now, paid to the accepted answer."
    )


def draft_of(input: CreatePostInput) -> posts.PostDraft:
    """The domain's draft of a post as the client wrote it."""
    return posts.PostDraft(
        body=input.body,
        title=input.title or "",
        image_urls=input.image_urls or [],
        topics=input.topics or [],
        kind=input.kind,
        circle_id=pk_of(input.circle_id, "Circle", field="circleId") if input.circle_id else None,
        poll=PollDraft(
            options=input.poll.options,
            multiple_choice=input.poll.multiple_choice,
            closes_at=input.poll.closes_at,
        )
        if input.poll
        else None,
        bounty=input.bounty,
    )


@strawberry.input(description="Fields left out stay as they are.")
class EditPostInput:
    title: str | None = None
    body: str | None = None
    image_urls: list[str] | None = None
    topics: list[str] | None = None


@strawberry.type
class PostPayload:
    post: Post


@strawberry.type
class SharePostPayload:
    share_token: str = strawberry.field(description="Put it in the shared link (?s=...).")
    post: Post


@strawberry.type
class PostsQuery:
    @strawberry.field(description="A post; null when it does not exist or cannot be seen.")
    async def post(self, info: Info[Context, None], id: strawberry.ID) -> Post | None:
        post = await info.context.loaders.post.load(pk_of(id, "Post"))
        viewer = await info.context.viewer()
        closed = await info.context.loaders.closed_circles(viewer)
        if post is None or not access.can_see_post(post, viewer, closed):
            return None
        return Post.from_model(post)


@strawberry.type
class PostsMutation:
    @strawberry.mutation
    async def create_post(self, info: Info[Context, None], input: CreatePostInput) -> PostPayload:
        author = await info.context.require_viewer()
        rules = info.context.runtime.rules
        post = await posts.create_post(
            author, draft_of(input), info.context.runtime.screener, rules=rules
        )
        await tasks.announce_after_action(author, rules=rules)
        return PostPayload(post=Post.from_model(post))

    @strawberry.mutation(description="The author edits their post; sets editedAt.")
    async def edit_post(
        self, info: Info[Context, None], id: strawberry.ID, input: EditPostInput
    ) -> PostPayload:
        author = await info.context.require_viewer()
        post = await posts.edit_post(
            author,
            pk_of(id, "Post"),
            title=input.title,
            body=input.body,
            image_urls=input.image_urls,
            topics=input.topics,
            screener=info.context.runtime.screener,
        )
        return PostPayload(post=Post.from_model(post))

    @strawberry.mutation(description="The author deletes their post.")
    async def delete_post(self, info: Info[Context, None], id: strawberry.ID) -> OkPayload:
        await posts.delete_post(
            await info.context.require_viewer(), pk_of(id, "Post"), rules=info.context.runtime.rules
        )
        return OkPayload(ok=True)

    @strawberry.mutation(description="Idempotent: liking twice leaves one like.")
    async def like_post(self, info: Info[Context, None], post_id: strawberry.ID) -> PostPayload:
        user = await info.context.require_viewer()
        post = await likes.like_post(
            user, pk_of(post_id, "Post", field="postId"), rules=info.context.runtime.rules
        )
        return PostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def unlike_post(self, info: Info[Context, None], post_id: strawberry.ID) -> PostPayload:
        user = await info.context.require_viewer()
        post = await likes.unlike_post(
            user, pk_of(post_id, "Post", field="postId"), rules=info.context.runtime.rules
        )
        return PostPayload(post=Post.from_model(post))

    @strawberry.mutation(description="Record a share; returns the token for the shared link.")
    async def share_post(
        self,
        info: Info[Context, None],
        post_id: strawberry.ID,
        channel: ShareChannel,  # type: ignore[valid-type]
    ) -> SharePostPayload:
        user = await info.context.require_viewer()
        share, post = await shares.share_post(
            user, pk_of(post_id, "Post", field="postId"), channel, rules=info.context.runtime.rules
        )
        return SharePostPayload(share_token=share.token, post=Post.from_model(post))
