"""Posts (plain posts, questions, polls): the card, writing, likes and shares. A page of
them as a connection: api/post_pages.py."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

import strawberry
from strawberry.types import Info

from api.answers import Answer, AnswerOrder
from api.circles import Circle
from api.comments import Comment, comment_connection
from api.context import Context
from api.ids import pk_of, to_global_id
from api.loaders import Loaders
from api.polls import Poll, PollInput
from api.relay import Connection, Node, OkPayload, connection_from_page
from api.strawberry_internals import now_or_later
from api.topics import Topic
from api.users import User, user_of
from domain import access, feeds, likes, models, posts, shares, tasks
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
