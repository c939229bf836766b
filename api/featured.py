"""Featured content: pins, featured posts, and curated collections (专题)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.posts import Post, post_connection
from api.relay import Connection, Node, connection_from_page
from domain import featured, models
from domain.featured import PinScope as DomainPinScope

PinScope = strawberry.enum(DomainPinScope, name="PinScope")


@strawberry.type(description="A curated collection (专题) of posts.")
class Collection(Node):
    id: strawberry.ID
    title: str
    description: str
    cover_url: str
    created_at: datetime
    pk: strawberry.Private[int]

    @strawberry.field(description="Its published posts in curated order.")
    async def posts(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Post]:
        closed = await info.context.loaders.closed_circles(await info.context.viewer())
        page = await featured.collection_posts(
            self.pk, closed=closed, first=first, after=after, cap=info.context.page_cap
        )
        return await post_connection(info, page)

    @classmethod
    def from_model(cls, collection: models.Collection) -> Collection:
        return cls(
            id=strawberry.ID(to_global_id("Collection", collection.id)),
            title=collection.title,
            description=collection.description,
            cover_url=collection.cover_url,
            created_at=collection.created_at,
            pk=collection.id,
        )


@strawberry.input
class CreateCollectionInput:
    title: str = strawberry.field(description="1–60 characters.")
    description: str = ""
    cover_url: str = strawberry.field(default="", description="An https URL.")


@strawberry.type
class FeaturedPostPayload:
    post: Post


@strawberry.type
class CollectionPayload:
    collection: Collection


@strawberry.type
class FeaturedQuery:
    @strawberry.field(description="Curated collections (专题), newest first.")
    async def collections(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Collection]:
        page = await featured.collections(first=first, after=after, cap=info.context.page_cap)
        return connection_from_page(page, Collection.from_model)  # type: ignore[arg-type]

    @strawberry.field
    async def collection(self, info: Info[Context, None], id: strawberry.ID) -> Collection | None:
        collection = await models.Collection.get_or_none(id=pk_of(id, "Collection"))
        return Collection.from_model(collection) if collection else None


@strawberry.type
class FeaturedMutation:
    @strawberry.mutation(
        description="GLOBAL pins (operators) lead LATEST; CIRCLE pins their circle."
    )
    async def pin_post(
        self,
        info: Info[Context, None],
        post_id: strawberry.ID,
        scope: PinScope,  # type: ignore[valid-type]
        until: datetime | None = None,
    ) -> FeaturedPostPayload:
        actor = await info.context.require_viewer()
        post = await featured.pin_post(actor, pk_of(post_id, "Post", field="postId"), scope, until)
        return FeaturedPostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def unpin_post(
        self, info: Info[Context, None], post_id: strawberry.ID
    ) -> FeaturedPostPayload:
        actor = await info.context.require_viewer()
        post = await featured.unpin_post(actor, pk_of(post_id, "Post", field="postId"))
        return FeaturedPostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def feature_post(
        self, info: Info[Context, None], post_id: strawberry.ID, reason: str | None = None
    ) -> FeaturedPostPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        post = await featured.feature_post(
            actor,
            pk_of(post_id, "Post", field="postId"),
            reason or "",
            rules=info.context.runtime.rules,
        )
        return FeaturedPostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def unfeature_post(
        self, info: Info[Context, None], post_id: strawberry.ID
    ) -> FeaturedPostPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        post = await featured.unfeature_post(actor, pk_of(post_id, "Post", field="postId"))
        return FeaturedPostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def create_collection(
        self, info: Info[Context, None], input: CreateCollectionInput
    ) -> CollectionPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        collection = await featured.create_collection(
            actor, input.title, input.description, input.cover_url
        )
        return CollectionPayload(collection=Collection.from_model(collection))

    @strawberry.mutation
    async def add_to_collection(
        self, info: Info[Context, None], collection_id: strawberry.ID, post_id: strawberry.ID
    ) -> CollectionPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        collection = await featured.add_to_collection(
            actor,
            pk_of(collection_id, "Collection", field="collectionId"),
            pk_of(post_id, "Post", field="postId"),
        )
        return CollectionPayload(collection=Collection.from_model(collection))

    @strawberry.mutation
    async def remove_from_collection(
        self, info: Info[Context, None], collection_id: strawberry.ID, post_id: strawberry.ID
    ) -> CollectionPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        collection = await featured.remove_from_collection(
            actor,
            pk_of(collection_id, "Collection", field="collectionId"),
            pk_of(post_id, "Post", field="postId"),
        )
        return CollectionPayload(collection=Collection.from_model(collection))
