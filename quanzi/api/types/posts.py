"""Posts, comments and topics as the API shows them, plus the shapes later features fill
(circles, polls, answers), so the client's PostCard works today."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from quanzi.api.context import Context
from quanzi.api.ids import to_global_id
from quanzi.api.loaders import Loaders
from quanzi.api.relay import Connection, Node, connection_from_page
from quanzi.domain import feeds, models
from quanzi.domain.errors import NotFound

if TYPE_CHECKING:
    from quanzi.api.types.users import User

UserRef = Annotated["User", strawberry.lazy("quanzi.api.types.users")]

PostKind = strawberry.enum(models.PostKind, name="PostKind")
PostStatus = strawberry.enum(
    models.PostStatus,
    name="PostStatus",
    description="Only PUBLISHED posts are seen by others; the author sees the rest too.",
)


@strawberry.enum(description="The order of a topic's posts.")
class PostOrder(Enum):
    LATEST = "LATEST"


@strawberry.enum
class VoteValue(Enum):
    UP = "UP"
    DOWN = "DOWN"


@strawberry.type(description="An image of a post, as uploaded to this service.")
class Image:
    url: str
    width: int
    height: int


@strawberry.type(description="A circle (interest group). Filled in by the circles feature.")
class Circle(Node):
    id: strawberry.ID
    name: str


@strawberry.type
class PollOption:
    id: strawberry.ID
    text: str
    vote_count: int
    percent: float


@strawberry.type(description="A poll attached to a POLL post. Filled in by the polls feature.")
class Poll:
    id: strawberry.ID
    multiple_choice: bool
    closes_at: datetime | None
    closed: bool
    total_voters: int
    viewer_voted_option_ids: list[strawberry.ID]
    options: list[PollOption]


@strawberry.type(description="An answer to a QUESTION post. Filled in by the Q&A feature.")
class Answer(Node):
    id: strawberry.ID
    body: str
    created_at: datetime
    vote_count: int
    viewer_vote: VoteValue | None
    is_accepted: bool
    pk: strawberry.Private[int]
    author_id: strawberry.Private[int]

    @strawberry.field
    async def author(self, info: Info[Context, None]) -> UserRef:
        return await load_user(info, self.author_id)


async def load_user(info: Info[Context, None], user_id: int) -> User:
    from quanzi.api.types.users import User

    user = await info.context.loaders.user.load(user_id)
    if user is None:  # authors are never deleted while their content exists
        raise NotFound("user_not_found")
    return User.from_model(user)


def _page_cap(info: Info[Context, None]) -> int:
    return info.context.runtime.settings.page_max


@strawberry.type(description="A topic (话题), written as #话题# or chosen explicitly.")
class Topic(Node):
    id: strawberry.ID
    name: str
    description: str
    post_count: int
    follower_count: int
    pk: strawberry.Private[int]

    @strawberry.field
    async def viewer_is_following(self, info: Info[Context, None]) -> bool:
        return await info.context.viewer_relation(Loaders.follows_topic, self.pk)

    @strawberry.field(description="Published posts under this topic.")
    async def posts(
        self,
        info: Info[Context, None],
        order_by: PostOrder | None = PostOrder.LATEST,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Post]:
        page = await feeds.in_topic(self.pk, first=first, after=after, cap=_page_cap(info))
        return post_connection(info, page)

    @classmethod
    def from_model(cls, topic: models.Topic) -> Topic:
        return cls(
            id=strawberry.ID(to_global_id("Topic", topic.id)),
            name=topic.name,
            description=topic.description,
            post_count=topic.post_count,
            follower_count=topic.follower_count,
            pk=topic.id,
        )


@strawberry.type(description="A comment or a reply; replies hang off their root comment.")
class Comment(Node):
    id: strawberry.ID
    body: str
    created_at: datetime
    like_count: int
    reply_count: int
    pk: strawberry.Private[int]
    author_id: strawberry.Private[int]
    post_id: strawberry.Private[int]
    reply_to_id: strawberry.Private[int | None]

    @strawberry.field
    async def author(self, info: Info[Context, None]) -> UserRef:
        return await load_user(info, self.author_id)

    @strawberry.field(description="The comment this one answers, for replies.")
    async def reply_to(self, info: Info[Context, None]) -> Comment | None:
        if self.reply_to_id is None:
            return None
        target = await info.context.loaders.comment.load(self.reply_to_id)
        if target is None or target.status != models.CommentStatus.PUBLISHED:
            return None
        return Comment.from_model(target)

    @strawberry.field
    async def viewer_has_liked(self, info: Info[Context, None]) -> bool:
        return await info.context.viewer_relation(Loaders.liked_comment, self.pk)

    @strawberry.field(description="The thread under this comment, oldest first.")
    async def replies(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Comment]:
        page = await feeds.replies_to(self.pk, first=first, after=after, cap=_page_cap(info))
        return connection_from_page(page, Comment.from_model)  # type: ignore[arg-type]

    @classmethod
    def from_model(cls, comment: models.Comment) -> Comment:
        return cls(
            id=strawberry.ID(to_global_id("Comment", comment.id)),
            body=comment.body,
            created_at=comment.created_at,
            like_count=comment.like_count,
            reply_count=comment.reply_count,
            pk=comment.id,
            author_id=comment.author_id,  # type: ignore[attr-defined]
            post_id=comment.post_id,  # type: ignore[attr-defined]
            reply_to_id=comment.reply_to_id,  # type: ignore[attr-defined]
        )


@strawberry.type(description="A post, question or poll.")
class Post(Node):
    id: strawberry.ID
    kind: PostKind  # type: ignore[valid-type]
    status: PostStatus  # type: ignore[valid-type]
    title: str
    body: str
    images: list[Image]
    created_at: datetime
    edited_at: datetime | None
    like_count: int
    comment_count: int
    share_count: int
    view_count: int
    answer_count: int
    bounty: int
    pk: strawberry.Private[int]
    author_id: strawberry.Private[int]

    @strawberry.field
    async def author(self, info: Info[Context, None]) -> UserRef:
        return await load_user(info, self.author_id)

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [
            Topic.from_model(t) for t in await info.context.loaders.topics_of_post.load(self.pk)
        ]

    @strawberry.field
    async def viewer_has_liked(self, info: Info[Context, None]) -> bool:
        return await info.context.viewer_relation(Loaders.liked_post, self.pk)

    @strawberry.field(description="The circle the post belongs to, if any.")
    def circle(self) -> Circle | None:
        return None  # filled by the circles feature

    @strawberry.field(description="Pinned in the surface showing it.")
    def is_pinned(self) -> bool:
        return False  # filled by the featured-content feature

    @strawberry.field(description="Chosen by operators as featured content.")
    def is_featured(self) -> bool:
        return False  # filled by the featured-content feature

    @strawberry.field
    def poll(self) -> Poll | None:
        return None  # filled by the polls feature

    @strawberry.field
    def accepted_answer(self) -> Answer | None:
        return None  # filled by the Q&A feature

    @strawberry.field(description="Top-level comments, oldest first.")
    async def comments(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Comment]:
        page = await feeds.comments_of(self.pk, first=first, after=after, cap=_page_cap(info))
        return connection_from_page(page, Comment.from_model)  # type: ignore[arg-type]

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
            like_count=post.like_count,
            comment_count=post.comment_count,
            share_count=post.share_count,
            view_count=post.view_count,
            answer_count=post.answer_count,
            bounty=post.bounty,
            pk=post.id,
            author_id=post.author_id,  # type: ignore[attr-defined]
        )


def post_connection(info: Info[Context, None], page: feeds.Page) -> Connection[Post]:
    info.context.loaders.prime_posts(page.items)
    return connection_from_page(page, Post.from_model)  # type: ignore[arg-type]
