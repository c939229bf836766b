"""Featured content: pins, featured posts, and curated collections (专题)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.circles import Circle
from api.context import Context
from api.ids import pk_of, to_global_id
from api.post_pages import post_connection
from api.posts import Post
from api.relay import Connection, Node, OkPayload, connection_from_page
from domain import collections, featured, models
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


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateCollectionInput:
    title: str | None = strawberry.field(default=None, description="1–60 characters.")
    description: str | None = strawberry.field(default=None, description="Up to 500.")
    cover_url: str | None = strawberry.field(default=None, description='An https URL, or "".')


@strawberry.type(description="A pin in force.")
class PinnedPost:
    scope: PinScope  # type: ignore[valid-type]
    pinned_at: datetime
    until: datetime | None = strawberry.field(description="Null: pinned until unpinned.")
    post: Post
    circle_id: strawberry.Private[int | None]

    @strawberry.field(description="The circle a CIRCLE pin leads (null for GLOBAL).")
    async def circle(self, info: Info[Context, None]) -> Circle | None:
        if self.scope != DomainPinScope.CIRCLE or self.circle_id is None:
            return None
        circle = await info.context.loaders.circle.load(self.circle_id)
        return Circle.from_model(circle) if circle else None


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

    @strawberry.field(
        description="The pins in force, of a scope or both, most recently pinned first (operators)."
    )
    async def pinned_posts(
        self,
        info: Info[Context, None],
        scope: PinScope | None = None,  # type: ignore[valid-type]
    ) -> list[PinnedPost]:
        actor = await info.context.require_viewer()
        pinned = await featured.pinned_posts(actor, scope)
        info.context.loaders.prime_posts(pinned)
        return [
            PinnedPost(
                scope=DomainPinScope(p.pin_scope or DomainPinScope.GLOBAL),
                pinned_at=p.pinned_at,  # type: ignore[arg-type]
                until=p.pinned_until,
                post=Post.from_model(p),
                circle_id=p.circle_id,  # type: ignore[attr-defined]
            )
            for p in pinned
        ]


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
            actor,
            input.title,
            input.description,
            input.cover_url,
            screener=info.context.runtime.screener,
        )
        return CollectionPayload(collection=Collection.from_model(collection))

    @strawberry.mutation(description="Change a collection's texts or cover (operators).")
    async def update_collection(
        self, info: Info[Context, None], id: strawberry.ID, input: UpdateCollectionInput
    ) -> CollectionPayload:
        actor = await info.context.require_viewer()
        collection = await collections.update_collection(
            actor,
            pk_of(id, "Collection"),
            title=input.title,
            description=input.description,
            cover_url=input.cover_url,
            screener=info.context.runtime.screener,
        )
        return CollectionPayload(collection=Collection.from_model(collection))

    @strawberry.mutation(
        description="Put a post at `position` (0-based) among the collection's posts; past "
        "the end it goes last (operators)."
    )
    async def move_in_collection(
        self,
        info: Info[Context, None],
        collection_id: strawberry.ID,
        post_id: strawberry.ID,
        position: int,
    ) -> CollectionPayload:
        actor = await info.context.require_viewer()
        collection = await collections.move_in_collection(
            actor,
            pk_of(collection_id, "Collection", field="collectionId"),
            pk_of(post_id, "Post", field="postId"),
            position,
        )
        return CollectionPayload(collection=Collection.from_model(collection))

    @strawberry.mutation(description="Delete a collection; its posts stay (operators).")
    async def delete_collection(self, info: Info[Context, None], id: strawberry.ID) -> OkPayload:
        actor = await info.context.require_viewer()
        await collections.delete_collection(actor, pk_of(id, "Collection"))
        return OkPayload(ok=True)

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
