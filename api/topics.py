"""Topics (话题): a topic's posts, latest or hot, its heat, and following it."""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.loaders import Loaders
from api.relay import Connection, Node
from domain import feeds, hot, models, tasks, topics
from domain.topics import TOPIC_NAME_MAX

if TYPE_CHECKING:
    from api.posts import Post

PostRef = Annotated["Post", strawberry.lazy("api.posts")]


@strawberry.enum(description="The order of a topic's posts.")
class PostOrder(Enum):
    LATEST = "LATEST"
    HOT = "HOT"


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
    ) -> Connection[PostRef]:
        from api.feeds import page_read, rebuild_hot
        from api.post_pages import post_connection

        viewer = await info.context.viewer()
        if order_by is PostOrder.HOT:
            store = info.context.runtime.store
            read = page_read(info, first, after)
            rebuild = partial(rebuild_hot, info.context.runtime)
            scope = f"topic:{self.pk}"
            source = await hot.hot_source(store, scope, viewer=viewer, rebuild=rebuild, **read)
            page = source.page()
        else:
            closed = await info.context.loaders.closed_circles(viewer)
            page = await feeds.in_topic(
                self.pk, closed=closed, first=first, after=after, cap=info.context.page_cap
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


@strawberry.type
class TopicsQuery:
    @strawberry.field(description="A topic by name (with or without the #); null if unknown.")
    async def topic(self, info: Info[Context, None], name: str) -> Topic | None:
        name = name.strip().strip("#")
        if not name or len(name) > TOPIC_NAME_MAX:
            return None  # no topic can have that name
        topic = await models.Topic.get_or_none(name=name)
        return Topic.from_model(topic) if topic else None


@strawberry.type
class TopicsMutation:
    @strawberry.mutation
    async def follow_topic(self, info: Info[Context, None], topic_id: strawberry.ID) -> Topic:
        viewer = await info.context.require_viewer()
        topic = await topics.follow_topic(viewer, pk_of(topic_id, "Topic", field="topicId"))
        await tasks.announce_after_action(viewer, rules=info.context.runtime.rules)
        return Topic.from_model(topic)

    @strawberry.mutation
    async def unfollow_topic(self, info: Info[Context, None], topic_id: strawberry.ID) -> Topic:
        viewer = await info.context.require_viewer()
        topic = await topics.unfollow_topic(viewer, pk_of(topic_id, "Topic", field="topicId"))
        return Topic.from_model(topic)
