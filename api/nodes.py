"""node(id:) and user(id:): objects fetched by global ID through the request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.types import Info

from api.answers import Answer
from api.circles import Circle
from api.comments import Comment
from api.context import Context
from api.ids import from_global_id, pk_of
from api.posts import Post
from api.relay import Node
from api.topics import Topic
from api.users import User
from domain import access


async def _user_node(context: Context, pk: int) -> Node | None:
    user = await context.loaders.user.load(pk)
    return User.from_model(user) if user else None


async def _post_node(context: Context, pk: int) -> Node | None:
    post = await context.loaders.post.load(pk)
    viewer = await context.viewer()
    closed = await context.loaders.closed_circles(viewer)
    if post is None or not access.can_see_post(post, viewer, closed):
        return None
    return Post.from_model(post)


async def _comment_node(context: Context, pk: int) -> Node | None:
    comment = await context.loaders.comment.load(pk)
    if comment is None:
        return None
    post = await context.loaders.post.load(comment.post_id)  # type: ignore[attr-defined]
    viewer = await context.viewer()
    closed = await context.loaders.closed_circles(viewer)
    if not access.can_see_comment(comment, post, viewer, closed):
        return None
    return Comment.from_model(comment)


async def _circle_node(context: Context, pk: int) -> Node | None:
    circle = await context.loaders.circle.load(pk)
    return Circle.from_model(circle) if circle else None


async def _answer_node(context: Context, pk: int) -> Node | None:
    answer = await context.loaders.answer.load(pk)
    if answer is None:
        return None
    question = await context.loaders.post.load(answer.question_id)  # type: ignore[attr-defined]
    viewer = await context.viewer()
    closed = await context.loaders.closed_circles(viewer)
    if not access.can_see_answer(answer, question, viewer, closed):
        return None
    return Answer.from_model(answer)


async def _topic_node(context: Context, pk: int) -> Node | None:
    topic = await context.loaders.topic.load(pk)
    return Topic.from_model(topic) if topic else None


# Type name in the global ID -> how to fetch it. Each feature adds its own types here.
NODE_FETCHERS: dict[str, Callable[[Context, int], Awaitable[Node | None]]] = {
    "User": _user_node,
    "Post": _post_node,
    "Comment": _comment_node,
    "Topic": _topic_node,
    "Circle": _circle_node,
    "Answer": _answer_node,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID; null when it does not exist.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        type_name, pk = from_global_id(id)
        fetch = NODE_FETCHERS.get(type_name)
        return await fetch(info.context, pk) if fetch else None

    @strawberry.field(description="A member by global ID; null when there is none.")
    async def user(self, info: Info[Context, None], id: strawberry.ID) -> User | None:
        user = await info.context.loaders.user.load(pk_of(id, "User"))
        return User.from_model(user) if user else None
