"""Posts (with their polls and answers), comments, topics and circles as the API shows them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import to_global_id
from api.loaders import Loaders
from api.lookahead import node_fields
from api.relay import Connection, Node, connection_from_page
from api.strawberry_internals import now_or_later
from domain import circles, feeds, hot, models, polls
from domain.errors import NotFound
from domain.featured import is_pinned
from domain.pagination import check_first

if TYPE_CHECKING:
    from api.types.users import User

UserRef = Annotated["User", strawberry.lazy("api.types.users")]

PostKind = strawberry.enum(models.PostKind, name="PostKind")
PostStatus = strawberry.enum(
    models.PostStatus,
    name="PostStatus",
    description="Only PUBLISHED posts are seen by others; the author sees the rest too.",
)


@strawberry.enum(description="The order of a topic's posts.")
class PostOrder(Enum):
    LATEST = "LATEST"
    HOT = "HOT"


@strawberry.enum(description="UP and DOWN vote; NONE takes a vote back.")
class VoteValue(Enum):
    UP = "UP"
    DOWN = "DOWN"
    NONE = "NONE"


VOTE_NUMBERS = {VoteValue.UP: 1, VoteValue.DOWN: -1, VoteValue.NONE: 0}
VOTE_VALUES = {1: VoteValue.UP, -1: VoteValue.DOWN}


@strawberry.enum(description="VOTES: accepted answer first, then most voted; NEWEST first.")
class AnswerOrder(Enum):
    VOTES = "VOTES"
    NEWEST = "NEWEST"


JoinPolicy = strawberry.enum(models.JoinPolicy, name="JoinPolicy")


@strawberry.type(description="An image of a post, as uploaded to this service.")
class Image:
    url: str
    width: int
    height: int


@strawberry.type(description="A circle (圈子): a group with its own members, admins and feed.")
class Circle(Node):
    id: strawberry.ID
    name: str
    description: str
    join_policy: JoinPolicy  # type: ignore[valid-type]
    member_count: int
    post_count: int
    created_at: datetime
    pk: strawberry.Private[int]

    @strawberry.field(description="An active member (a pending request does not count).")
    async def viewer_is_member(self, info: Info[Context, None]) -> bool:
        membership = await _membership(info, self.pk)
        return membership is not None and membership[1] == models.MembershipStatus.ACTIVE

    @strawberry.field(description="The viewer may administer it: circle admin or operator.")
    async def viewer_is_admin(self, info: Info[Context, None]) -> bool:
        viewer = await info.context.viewer()
        if viewer is None:
            return False
        if models.Role(viewer.role).at_least(models.Role.OPERATOR):
            return True
        membership = await _membership(info, self.pk)
        return membership == (models.CircleRole.ADMIN, models.MembershipStatus.ACTIVE)

    @strawberry.field(description="Requests waiting for approval (circle admins, operators).")
    async def pending_members(self, info: Info[Context, None], first: int = 50) -> list[UserRef]:
        from api.types.users import User

        viewer = await info.context.require_viewer()
        await circles.check_can_admin(viewer, self.pk)
        size = check_first(first, cap=info.context.page_cap)
        return [User.from_model(u) for u in await circles.pending_members(self.pk, size)]

    @strawberry.field(description="The circle's published posts, newest first.")
    async def posts(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Post]:
        page = await feeds.in_circle(self.pk, first=first, after=after, cap=info.context.page_cap)
        return await post_connection(info, page)

    @classmethod
    def from_model(cls, circle: models.Circle) -> Circle:
        return cls(
            id=strawberry.ID(to_global_id("Circle", circle.id)),
            name=circle.name,
            description=circle.description,
            join_policy=circle.join_policy,
            member_count=circle.member_count,
            post_count=circle.post_count,
            created_at=circle.created_at,
            pk=circle.id,
        )


async def _membership(info: Info[Context, None], circle_id: int) -> tuple[str, str] | None:
    viewer = await info.context.viewer()
    if viewer is None:
        return None
    return await info.context.loaders.membership(viewer.id).load(circle_id)


@strawberry.type
class PollOption:
    id: strawberry.ID
    text: str
    vote_count: int
    percent: float = strawberry.field(description="Share of voters who chose it, 0–100.")


@strawberry.type(description="The poll of a POLL post.")
class Poll:
    id: strawberry.ID
    multiple_choice: bool
    closes_at: datetime | None
    closed: bool
    total_voters: int
    pk: strawberry.Private[int]

    @strawberry.field
    async def options(self, info: Info[Context, None]) -> list[PollOption]:
        options = await info.context.loaders.options_of_poll.load(self.pk)
        voters = self.total_voters
        return [
            PollOption(
                id=strawberry.ID(to_global_id("PollOption", o.id)),
                text=o.text,
                vote_count=o.vote_count,
                percent=round(100 * o.vote_count / voters, 1) if voters else 0.0,
            )
            for o in options
        ]

    @strawberry.field(description="What the viewer chose; empty before voting.")
    async def viewer_voted_option_ids(self, info: Info[Context, None]) -> list[strawberry.ID]:
        viewer = await info.context.viewer()
        if viewer is None:
            return []
        chosen = await info.context.loaders.poll_choice(viewer.id).load(self.pk)
        return [strawberry.ID(to_global_id("PollOption", i)) for i in chosen or []]

    @classmethod
    def from_model(cls, poll: models.Poll) -> Poll:
        return cls(
            id=strawberry.ID(to_global_id("Poll", poll.id)),
            multiple_choice=poll.multiple_choice,
            closes_at=poll.closes_at,
            closed=polls.is_closed(poll),
            total_voters=poll.total_voters,
            pk=poll.id,
        )


@strawberry.type(description="An answer to a QUESTION post.")
class Answer(Node):
    id: strawberry.ID
    body: str
    created_at: datetime
    vote_count: int
    is_accepted: bool
    pk: strawberry.Private[int]
    author_id: strawberry.Private[int]
    question_id: strawberry.Private[int]

    @strawberry.field
    def author(self, info: Info[Context, None]) -> UserRef:
        return user_of(info, self.author_id)  # type: ignore[return-value]

    @strawberry.field(description="The viewer's vote: UP, DOWN, or null.")
    async def viewer_vote(self, info: Info[Context, None]) -> VoteValue | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        value = await info.context.loaders.answer_vote(viewer.id).load(self.pk)
        return VOTE_VALUES.get(value) if value else None

    @strawberry.field
    async def question(self, info: Info[Context, None]) -> Post | None:
        post = await info.context.loaders.post.load(self.question_id)
        return Post.from_model(post) if post else None

    @classmethod
    def from_model(cls, answer: models.Answer) -> Answer:
        return cls(
            id=strawberry.ID(to_global_id("Answer", answer.id)),
            body=answer.body,
            created_at=answer.created_at,
            vote_count=answer.vote_count,
            is_accepted=answer.is_accepted,
            pk=answer.id,
            author_id=answer.author_id,  # type: ignore[attr-defined]
            question_id=answer.question_id,  # type: ignore[attr-defined]
        )


async def load_user(info: Info[Context, None], user_id: int) -> User:
    return _user(await info.context.loaders.user.load(user_id))


def user_of(info: Info[Context, None], user_id: int) -> User | Awaitable[User]:
    """The member, at once when already loaded (see post_connection)."""
    return now_or_later(info.context.loaders.user, user_id, _user)


def _user(user: models.User | None) -> User:
    from api.types.users import User

    if user is None:  # authors are never deleted while their content exists
        raise NotFound("user_not_found")
    return User.from_model(user)


@strawberry.type(description="A topic (话题), written as #话题# or chosen explicitly.")
class Topic(Node):
    id: strawberry.ID
    name: str
    description: str
    post_count: int
    follower_count: int
    pk: strawberry.Private[int]

    @strawberry.field
    def viewer_is_following(self, info: Info[Context, None]) -> bool:
        return info.context.viewer_relation(Loaders.follows_topic, self.pk)  # type: ignore[return-value]

    @strawberry.field(description="Published posts under this topic.")
    async def posts(
        self,
        info: Info[Context, None],
        order_by: PostOrder | None = PostOrder.LATEST,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Post]:
        if order_by is PostOrder.HOT:
            page = await hot.hot_page(
                info.context.runtime.store,
                f"topic:{self.pk}",
                first=first,
                after=after,
                cap=info.context.page_cap,
            )
        else:
            page = await feeds.in_topic(
                self.pk, first=first, after=after, cap=info.context.page_cap
            )
        return await post_connection(info, page)

    @strawberry.field(description="Trending heat (decayed, velocity-gated); 0 when quiet.")
    async def heat(self, info: Info[Context, None]) -> float:
        return await info.context.loaders.topic_heat(info.context.runtime.store).load(self.pk)

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
    def author(self, info: Info[Context, None]) -> UserRef:
        return user_of(info, self.author_id)  # type: ignore[return-value]

    @strawberry.field(description="The comment this one answers, for replies.")
    def reply_to(self, info: Info[Context, None]) -> Comment | None:
        if self.reply_to_id is None:
            return None  # answered at once: no coroutine for the common case
        return now_or_later(info.context.loaders.comment, self.reply_to_id, _published_comment)  # type: ignore[return-value]

    @strawberry.field
    def viewer_has_liked(self, info: Info[Context, None]) -> bool:
        return info.context.viewer_relation(Loaders.liked_comment, self.pk)  # type: ignore[return-value]

    @strawberry.field(description="The thread under this comment, oldest first.")
    async def replies(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Comment]:
        page = await feeds.replies_to(self.pk, first=first, after=after, cap=info.context.page_cap)
        return await comment_connection(info, page)

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
    circle_id: strawberry.Private[int | None]
    accepted_answer_id: strawberry.Private[int | None]

    @strawberry.field
    def author(self, info: Info[Context, None]) -> UserRef:
        return user_of(info, self.author_id)  # type: ignore[return-value]

    @strawberry.field
    def topics(self, info: Info[Context, None]) -> list[Topic]:
        return now_or_later(info.context.loaders.topics_of_post, self.pk, _topics)  # type: ignore[return-value]

    @strawberry.field
    def viewer_has_liked(self, info: Info[Context, None]) -> bool:
        return info.context.viewer_relation(Loaders.liked_post, self.pk)  # type: ignore[return-value]

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
        if answer is None or answer.status != models.AnswerStatus.PUBLISHED:
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


def _topics(topics: list[models.Topic]) -> list[Topic]:
    return [Topic.from_model(t) for t in topics]


def _circle(circle: models.Circle | None) -> Circle | None:
    return Circle.from_model(circle) if circle else None


def _poll(poll: models.Poll | None) -> Poll | None:
    return Poll.from_model(poll) if poll else None


def _published_comment(comment: models.Comment | None) -> Comment | None:
    if comment is None or comment.status != models.CommentStatus.PUBLISHED:
        return None
    return Comment.from_model(comment)


async def post_connection(info: Info[Context, None], page: feeds.Page) -> Connection[Post]:
    """A page of posts whose cards' relations are loaded before the cards resolve."""
    loaders = info.context.loaders
    posts: list[models.Post] = page.items
    wanted = node_fields(info)
    pks = [p.id for p in posts]
    loads: list[Awaitable[object]] = []
    if "author" in wanted:
        loads.append(loaders.user.load_many([p.author_id for p in posts]))  # type: ignore[attr-defined]
    if "topics" in wanted:
        loads.append(loaders.topics_of_post.load_many(pks))
    circle_ids = [p.circle_id for p in posts if p.circle_id is not None]  # type: ignore[attr-defined]
    if "circle" in wanted and circle_ids:
        loads.append(loaders.circle.load_many(circle_ids))
    polls = [p.id for p in posts if p.kind == models.PostKind.POLL]
    if "poll" in wanted and polls:
        loads.append(loaders.poll_of_post.load_many(polls))
    viewer = info.context.known_viewer()
    if "viewerHasLiked" in wanted and viewer is not None:
        loads.append(loaders.liked_post(viewer.id).load_many(pks))
    if loads and posts:
        await asyncio.gather(*loads)
    return connection_from_page(page, Post.from_model)  # type: ignore[arg-type]


async def comment_connection(info: Info[Context, None], page: feeds.Page) -> Connection[Comment]:
    """A page of comments whose authors, reply targets and likes are loaded up front."""
    loaders = info.context.loaders
    comments: list[models.Comment] = page.items
    wanted = node_fields(info)
    if comments and wanted & {"author", "replyTo", "viewerHasLiked"}:
        loads: list[Awaitable[object]] = []
        if "author" in wanted:
            loads.append(loaders.user.load_many([c.author_id for c in comments]))  # type: ignore[attr-defined]
        targets = [c.reply_to_id for c in comments if c.reply_to_id is not None]  # type: ignore[attr-defined]
        if "replyTo" in wanted and targets:
            loads.append(loaders.comment.load_many(targets))
        viewer = info.context.known_viewer()
        if "viewerHasLiked" in wanted and viewer is not None:
            loads.append(loaders.liked_comment(viewer.id).load_many([c.id for c in comments]))
        await asyncio.gather(*loads)
    return connection_from_page(page, Comment.from_model)  # type: ignore[arg-type]
