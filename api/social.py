"""The everyday loop: feeds, posts, comments, likes, shares, follows, topics, client events."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from api.community import PollInput
from api.context import Context
from api.ids import pk_of
from api.relay import Connection
from api.types.posts import Comment, Post, PostKind, Topic, post_connection
from api.types.users import User
from domain import comments, featured, feeds, follows, hot, likes, models, posts, shares, topics
from domain import tracking as client_events
from domain.errors import BadInput, Unauthenticated
from domain.polls import PollDraft
from domain.topics import TOPIC_NAME_MAX
from recommend import serving


@strawberry.enum(description="Which posts a feed shows.")
class FeedKind(Enum):
    LATEST = "LATEST"
    FOLLOWING = "FOLLOWING"
    FEATURED = "FEATURED"
    HOT = "HOT"
    RECOMMENDED = "RECOMMENDED"


ShareChannel = strawberry.enum(models.ShareChannel, name="ShareChannel")
ClientEventKind = strawberry.enum(
    models.ClientEventKind,
    name="ClientEventKind",
    description="IMPRESSION: a card was shown; VIEW: a post was opened; DWELL: time spent "
    "on a post (durationMs); SHARE_OPEN: a shared link was opened (shareToken).",
)


@strawberry.input
class CreatePostInput:
    body: str = strawberry.field(description="1–5000 characters; #话题# marks a topic.")
    kind: PostKind = models.PostKind.POST  # type: ignore[valid-type]
    title: str | None = strawberry.field(default=None, description="Up to 60 characters.")
    image_urls: list[str] | None = strawberry.field(
        default=None, description="Up to 9 URLs returned by POST /media/images."
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


@strawberry.input(description="Fields left out stay as they are.")
class EditPostInput:
    title: str | None = None
    body: str | None = None
    image_urls: list[str] | None = None
    topics: list[str] | None = None


@strawberry.input
class ClientEventInput:
    kind: ClientEventKind  # type: ignore[valid-type]
    post_id: strawberry.ID | None = None
    share_token: str | None = None
    duration_ms: int | None = None
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened on the device; now when left out."
    )


@strawberry.type
class PostPayload:
    post: Post


@strawberry.type
class OkPayload:
    ok: bool


@strawberry.type
class SharePostPayload:
    share_token: str = strawberry.field(description="Put it in the shared link (?s=...).")
    post: Post


@strawberry.type
class TrackEventsPayload:
    accepted: int


@strawberry.type
class AddCommentPayload:
    comment: Comment
    post: Post


@strawberry.type
class CommentPayload:
    comment: Comment


@strawberry.type
class FollowUserPayload:
    user: User


@strawberry.type
class SocialQuery:
    @strawberry.field(description="A feed of published posts, newest first.")
    async def feed(
        self,
        info: Info[Context, None],
        kind: FeedKind,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Post]:
        if kind is FeedKind.FOLLOWING:
            viewer = await info.context.viewer()
            if viewer is None:
                raise Unauthenticated()
            page = await feeds.following(
                viewer, first=first, after=after, cap=info.context.page_cap
            )
        elif kind is FeedKind.RECOMMENDED and (viewer := await info.context.viewer()):
            page = await serving.recommended_page(
                info.context.runtime.store,
                viewer.id,
                first=first,
                after=after,
                cap=info.context.page_cap,
                explore_share=info.context.runtime.settings.recommender_explore_share,
            )
        elif kind in (FeedKind.HOT, FeedKind.RECOMMENDED):  # anonymous readers get HOT
            page = await hot.hot_page(
                info.context.runtime.store,
                "all",
                first=first,
                after=after,
                cap=info.context.page_cap,
            )
        elif kind is FeedKind.FEATURED:
            page = await featured.featured_feed(first=first, after=after, cap=info.context.page_cap)
        else:
            page = await feeds.latest(first=first, after=after, cap=info.context.page_cap)
        return await post_connection(info, page)

    @strawberry.field(description="A post; null when it does not exist or cannot be seen.")
    async def post(self, info: Info[Context, None], id: strawberry.ID) -> Post | None:
        post = await info.context.loaders.post.load(pk_of(id, "Post"))
        if post is None or not posts.can_see_post(post, await info.context.viewer()):
            return None
        return Post.from_model(post)

    @strawberry.field(description="A topic by name (with or without the #); null if unknown.")
    async def topic(self, info: Info[Context, None], name: str) -> Topic | None:
        name = name.strip().strip("#")
        if not name or len(name) > TOPIC_NAME_MAX:
            return None  # no topic can have that name
        topic = await models.Topic.get_or_none(name=name)
        return Topic.from_model(topic) if topic else None


@strawberry.type
class SocialMutation:
    @strawberry.mutation
    async def create_post(self, info: Info[Context, None], input: CreatePostInput) -> PostPayload:
        author = await info.context.require_viewer()
        post = await posts.create_post(
            author,
            posts.PostDraft(
                body=input.body,
                title=input.title or "",
                image_urls=input.image_urls or [],
                topics=input.topics or [],
                kind=input.kind,
                circle_id=pk_of(input.circle_id, "Circle", field="circleId")
                if input.circle_id
                else None,
                poll=PollDraft(
                    options=input.poll.options,
                    multiple_choice=input.poll.multiple_choice,
                    closes_at=input.poll.closes_at,
                )
                if input.poll
                else None,
                bounty=input.bounty,
            ),
            info.context.runtime.screener,
        )
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
        await posts.delete_post(await info.context.require_viewer(), pk_of(id, "Post"))
        return OkPayload(ok=True)

    @strawberry.mutation(description="Idempotent: liking twice leaves one like.")
    async def like_post(self, info: Info[Context, None], post_id: strawberry.ID) -> PostPayload:
        user = await info.context.require_viewer()
        post = await likes.like_post(user, pk_of(post_id, "Post", field="postId"))
        return PostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def unlike_post(self, info: Info[Context, None], post_id: strawberry.ID) -> PostPayload:
        user = await info.context.require_viewer()
        post = await likes.unlike_post(user, pk_of(post_id, "Post", field="postId"))
        return PostPayload(post=Post.from_model(post))

    @strawberry.mutation(description="Record a share; returns the token for the shared link.")
    async def share_post(
        self,
        info: Info[Context, None],
        post_id: strawberry.ID,
        channel: ShareChannel,  # type: ignore[valid-type]
    ) -> SharePostPayload:
        user = await info.context.require_viewer()
        share, post = await shares.share_post(user, pk_of(post_id, "Post", field="postId"), channel)
        return SharePostPayload(share_token=share.token, post=Post.from_model(post))

    @strawberry.mutation(description="The client's batched events (at most 100 a call).")
    async def track_events(
        self, info: Info[Context, None], events: list[ClientEventInput]
    ) -> TrackEventsPayload:
        viewer = await info.context.viewer()
        if len(events) > client_events.EVENTS_PER_CALL_MAX:
            raise BadInput("too_many_events", field="events", max=client_events.EVENTS_PER_CALL_MAX)
        batch = [
            client_events.ClientEventIn(
                kind=e.kind,
                post_id=pk_of(e.post_id, "Post", field=f"events.{i}.postId") if e.post_id else None,
                share_token=e.share_token,
                duration_ms=e.duration_ms,
                occurred_at=e.occurred_at,
            )
            for i, e in enumerate(events)
        ]
        return TrackEventsPayload(accepted=await client_events.track_events(viewer, batch))

    @strawberry.mutation
    async def add_comment(
        self,
        info: Info[Context, None],
        post_id: strawberry.ID,
        body: str,
        reply_to_id: strawberry.ID | None = None,
    ) -> AddCommentPayload:
        author = await info.context.require_viewer()
        comment = await comments.add_comment(
            author,
            pk_of(post_id, "Post", field="postId"),
            body,
            reply_to_id=pk_of(reply_to_id, "Comment", field="replyToId") if reply_to_id else None,
            screener=info.context.runtime.screener,
        )
        post = await models.Post.get(id=comment.post_id)  # type: ignore[attr-defined]
        return AddCommentPayload(comment=Comment.from_model(comment), post=Post.from_model(post))

    @strawberry.mutation(description="The author deletes their comment (and its thread).")
    async def delete_comment(self, info: Info[Context, None], id: strawberry.ID) -> OkPayload:
        await comments.delete_comment(await info.context.require_viewer(), pk_of(id, "Comment"))
        return OkPayload(ok=True)

    @strawberry.mutation
    async def like_comment(
        self, info: Info[Context, None], comment_id: strawberry.ID
    ) -> CommentPayload:
        user = await info.context.require_viewer()
        comment = await likes.like_comment(user, pk_of(comment_id, "Comment", field="commentId"))
        return CommentPayload(comment=Comment.from_model(comment))

    @strawberry.mutation
    async def unlike_comment(
        self, info: Info[Context, None], comment_id: strawberry.ID
    ) -> CommentPayload:
        user = await info.context.require_viewer()
        comment = await likes.unlike_comment(user, pk_of(comment_id, "Comment", field="commentId"))
        return CommentPayload(comment=Comment.from_model(comment))

    @strawberry.mutation(description="Idempotent; you cannot follow yourself.")
    async def follow_user(
        self, info: Info[Context, None], user_id: strawberry.ID
    ) -> FollowUserPayload:
        viewer = await info.context.require_viewer()
        user = await follows.follow_user(viewer, pk_of(user_id, "User", field="userId"))
        return FollowUserPayload(user=User.from_model(user))

    @strawberry.mutation
    async def unfollow_user(
        self, info: Info[Context, None], user_id: strawberry.ID
    ) -> FollowUserPayload:
        viewer = await info.context.require_viewer()
        user = await follows.unfollow_user(viewer, pk_of(user_id, "User", field="userId"))
        return FollowUserPayload(user=User.from_model(user))

    @strawberry.mutation
    async def follow_topic(self, info: Info[Context, None], topic_id: strawberry.ID) -> Topic:
        viewer = await info.context.require_viewer()
        topic = await topics.follow_topic(viewer, pk_of(topic_id, "Topic", field="topicId"))
        return Topic.from_model(topic)

    @strawberry.mutation
    async def unfollow_topic(self, info: Info[Context, None], topic_id: strawberry.ID) -> Topic:
        viewer = await info.context.require_viewer()
        topic = await topics.unfollow_topic(viewer, pk_of(topic_id, "Topic", field="topicId"))
        return Topic.from_model(topic)
