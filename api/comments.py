"""Comments and replies: the thread under a post, writing, deleting and liking them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.loaders import Loaders, prefetch
from api.lookahead import node_fields
from api.relay import Connection, Node, OkPayload, connection_from_page
from api.strawberry_internals import now_or_later
from api.users import User, user_of
from domain import access, comments, feeds, likes, models, tasks

if TYPE_CHECKING:
    from api.posts import Post

PostRef = Annotated["Post", strawberry.lazy("api.posts")]


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
    def author(self, info: Info[Context, None]) -> User:
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


def _published_comment(comment: models.Comment | None) -> Comment | None:
    if comment is None or not access.can_see_reply(comment):
        return None
    return Comment.from_model(comment)


async def comment_visible(
    loaders: Loaders, viewer: models.User | None, comment: models.Comment
) -> bool:
    """Whether the viewer may see a comment: through its post, or through its answer and the
    answer's question for a comment on an answer."""
    post = await loaders.post.load(comment.post_id)  # type: ignore[attr-defined]
    closed = await loaders.closed_circles(viewer)
    answer_id = comment.answer_id  # type: ignore[attr-defined]
    if answer_id is None:
        return access.can_see_comment(comment, post, viewer, closed)
    answer = await loaders.answer.load(answer_id)
    return access.can_see_answer_comment(comment, answer, post, viewer, closed)


async def comment_connection(info: Info[Context, None], page: feeds.Page) -> Connection[Comment]:
    """A page of comments whose authors, reply targets and likes are loaded up front."""
    loaders = info.context.loaders
    comments: list[models.Comment] = page.items
    wanted = node_fields(info)
    if comments and wanted & {"author", "replyTo", "viewerHasLiked"}:
        loads: list[Awaitable[None]] = []
        if "author" in wanted:
            loads.append(prefetch(loaders.user, [c.author_id for c in comments]))  # type: ignore[attr-defined]
        targets = [c.reply_to_id for c in comments if c.reply_to_id is not None]  # type: ignore[attr-defined]
        if "replyTo" in wanted and targets:
            loads.append(prefetch(loaders.comment, targets))
        viewer = info.context.known_viewer()
        if "viewerHasLiked" in wanted and viewer is not None:
            loads.append(prefetch(loaders.liked_comment(viewer.id), [c.id for c in comments]))
        await asyncio.gather(*loads)
    return connection_from_page(page, Comment.from_model)  # type: ignore[arg-type]


@strawberry.type
class AddCommentPayload:
    comment: Comment
    post: PostRef


@strawberry.type
class CommentPayload:
    comment: Comment


@strawberry.type
class CommentsMutation:
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
            rules=info.context.runtime.rules,
        )
        await tasks.announce_after_action(author, rules=info.context.runtime.rules)
        from api.posts import Post

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
        comment = await likes.like_comment(
            user, pk_of(comment_id, "Comment", field="commentId"), rules=info.context.runtime.rules
        )
        return CommentPayload(comment=Comment.from_model(comment))

    @strawberry.mutation
    async def unlike_comment(
        self, info: Info[Context, None], comment_id: strawberry.ID
    ) -> CommentPayload:
        user = await info.context.require_viewer()
        comment = await likes.unlike_comment(
            user, pk_of(comment_id, "Comment", field="commentId"), rules=info.context.runtime.rules
        )
        return CommentPayload(comment=Comment.from_model(comment))
