"""The points mall: the shelf, redeeming, the member's redemptions; the operators' back office
(items, coupon codes, the queue, fulfilling and cancelling)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Connection, CountedConnection, Node, connection_from_page, counted_connection
from api.users import User, Viewer, user_of
from domain import access, mall, models
from domain.errors import NotFound
from domain.pagination import keyset_page

MallItemKind = strawberry.enum(models.MallItemKind, name="MallItemKind")
RedemptionStatus = strawberry.enum(models.RedemptionStatus, name="RedemptionStatus")


@strawberry.type(description="Something members redeem with points.")
class MallItem(Node):
    id: strawberry.ID
    title: str
    description: str
    image_url: str | None
    kind: MallItemKind  # type: ignore[valid-type]
    price_points: int
    stock: int | None = strawberry.field(description="How many were put up; null: unlimited.")
    remaining: int | None = strawberry.field(description="How many are left; null: unlimited.")
    per_member_limit: int | None
    min_level: int | None
    active: bool
    model: strawberry.Private[models.MallItem]

    @strawberry.field(description="How many the viewer redeemed (cancelled ones aside).")
    async def viewer_redeemed_count(self, info: Info[Context, None]) -> int:
        viewer = await info.context.viewer()
        if viewer is None:
            return 0
        count: int = await info.context.loaders.redeemed_count(viewer.id).load(self.model.id)
        return count

    @strawberry.field(description="Whether the viewer may redeem one now.")
    async def viewer_can_redeem(self, info: Info[Context, None]) -> bool:
        viewer = await info.context.viewer()
        if viewer is None:
            return False
        item = self.model
        redeemed = await info.context.loaders.redeemed_count(viewer.id).load(item.id)
        return access.can_redeem(
            viewer.points,
            info.context.runtime.rules.level_for(viewer.points),
            item.active,
            item.min_level,
            item.price_points,
            item.remaining,
            redeemed,
            item.per_member_limit,
        )

    @classmethod
    def from_model(cls, item: models.MallItem) -> MallItem:
        return cls(
            id=strawberry.ID(to_global_id("MallItem", item.id)),
            title=item.title,
            description=item.description,
            image_url=item.image_url or None,
            kind=item.kind,
            price_points=item.price_points,
            stock=item.stock,
            remaining=item.remaining,
            per_member_limit=item.per_member_limit,
            min_level=item.min_level,
            active=item.active,
            model=item,
        )


@strawberry.type
class Shipping:
    name: str
    phone: str
    address: str


@strawberry.input
class ShippingInput:
    name: str
    phone: str
    address: str


@strawberry.type(description="A member's redemption of an item.")
class Redemption(Node):
    id: strawberry.ID
    status: RedemptionStatus  # type: ignore[valid-type]
    quantity: int
    points_spent: int
    coupon_code: str | None
    tracking_number: str | None
    created_at: datetime
    model: strawberry.Private[models.Redemption]

    @strawberry.field
    async def item(self, info: Info[Context, None]) -> MallItem:
        item = await info.context.loaders.mall_item.load(self.model.item_id)  # type: ignore[attr-defined]
        if item is None:
            raise NotFound(field="itemId")
        return MallItem.from_model(item)

    @strawberry.field
    def user(self, info: Info[Context, None]) -> User:
        return user_of(info, self.model.user_id)  # type: ignore[return-value,attr-defined]

    @strawberry.field(description="Where to ship a physical item.")
    def shipping(self) -> Shipping | None:
        m = self.model
        if m.shipping_name is None:
            return None
        return Shipping(
            name=m.shipping_name, phone=m.shipping_phone or "", address=m.shipping_address or ""
        )

    @classmethod
    def from_model(cls, r: models.Redemption) -> Redemption:
        return cls(
            id=strawberry.ID(to_global_id("Redemption", r.id)),
            status=r.status,
            quantity=r.quantity,
            points_spent=r.points_spent,
            coupon_code=r.coupon_code,
            tracking_number=r.tracking_number,
            created_at=r.created_at,
            model=r,
        )


@strawberry.type(description="The operators' queue of redemptions, with its total.")
class RedemptionQueueConnection(CountedConnection[Redemption]):
    pass


@strawberry.input
class MallItemInput:
    title: str
    description: str | None = None
    image_url: str | None = None
    kind: MallItemKind  # type: ignore[valid-type]
    price_points: int
    stock: int | None = None
    per_member_limit: int | None = None
    min_level: int | None = None
    active: bool | None = None


@strawberry.input(description="The fields to change: absent or null leaves one unchanged.")
class UpdateMallItemInput:
    title: str | None = None
    description: str | None = None
    image_url: str | None = None
    kind: MallItemKind | None = None  # type: ignore[valid-type]
    price_points: int | None = None
    stock: int | None = None
    per_member_limit: int | None = None
    min_level: int | None = None
    active: bool | None = None


def _draft(given: MallItemInput | UpdateMallItemInput) -> mall.ItemDraft:
    return mall.ItemDraft(
        title=given.title,
        description=given.description,
        image_url=given.image_url,
        kind=models.MallItemKind(given.kind) if given.kind is not None else None,
        price_points=given.price_points,
        stock=given.stock,
        per_member_limit=given.per_member_limit,
        min_level=given.min_level,
        active=given.active,
    )


@strawberry.type
class RedeemPayload:
    redemption: Redemption
    viewer: Viewer


@strawberry.type
class MallItemPayload:
    item: MallItem


@strawberry.type
class RedemptionPayload:
    redemption: Redemption


@strawberry.type
class MallQuery:
    @strawberry.field(
        description="The items on offer, newest first; includeInactive (operators): all."
    )
    async def mall_items(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        include_inactive: bool = False,
    ) -> Connection[MallItem]:
        actor = await info.context.require_viewer() if include_inactive else None
        page = await mall.shelf(first=first, after=after, cap=info.context.page_cap, actor=actor)
        return connection_from_page(page, MallItem.from_model)  # type: ignore[arg-type]

    @strawberry.field(description="The viewer's redemptions, newest first.")
    async def my_redemptions(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Redemption]:
        viewer = await info.context.require_viewer()
        page = await mall.redemptions_of(
            viewer, first=first, after=after, cap=info.context.page_cap
        )
        return connection_from_page(page, Redemption.from_model)  # type: ignore[arg-type]

    @strawberry.field(description="Operators: the redemption queue, newest first.")
    async def redemptions(
        self,
        info: Info[Context, None],
        status: RedemptionStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> RedemptionQueueConnection:
        viewer = await info.context.require_viewer()
        wanted = models.RedemptionStatus(status) if status is not None else None
        query = mall.queue_query(viewer, wanted)
        page = await keyset_page(
            query, first=first, after=after, order=("-created_at", "-id"), cap=info.context.page_cap
        )
        return counted_connection(
            RedemptionQueueConnection, page, query.count, Redemption.from_model
        )


@strawberry.type
class MallMutation:
    @strawberry.mutation(description="Exactly once per idempotencyKey (per member).")
    async def redeem_item(
        self,
        info: Info[Context, None],
        item_id: strawberry.ID,
        quantity: int,
        idempotency_key: str,
        shipping: ShippingInput | None = None,
    ) -> RedeemPayload:
        viewer = await info.context.require_viewer()
        ship = mall.Shipping(shipping.name, shipping.phone, shipping.address) if shipping else None
        redemption = await mall.redeem(
            viewer,
            pk_of(item_id, "MallItem", field="itemId"),
            quantity,
            idempotency_key,
            ship,
            rules=info.context.runtime.rules,
        )
        await viewer.refresh_from_db(fields=["points"])
        return RedeemPayload(
            redemption=Redemption.from_model(redemption), viewer=Viewer.from_model(viewer)
        )

    @strawberry.mutation
    async def create_mall_item(
        self, info: Info[Context, None], input: MallItemInput
    ) -> MallItemPayload:
        viewer = await info.context.require_viewer()
        item = await mall.create_item(viewer, _draft(input))
        return MallItemPayload(item=MallItem.from_model(item))

    @strawberry.mutation
    async def update_mall_item(
        self, info: Info[Context, None], id: strawberry.ID, input: UpdateMallItemInput
    ) -> MallItemPayload:
        viewer = await info.context.require_viewer()
        item = await mall.update_item(viewer, pk_of(id, "MallItem"), _draft(input))
        return MallItemPayload(item=MallItem.from_model(item))

    @strawberry.mutation(description="Upload codes to a COUPON item's pool.")
    async def add_coupon_codes(
        self, info: Info[Context, None], item_id: strawberry.ID, codes: list[str]
    ) -> MallItemPayload:
        viewer = await info.context.require_viewer()
        item = await mall.add_codes(viewer, pk_of(item_id, "MallItem", field="itemId"), codes)
        return MallItemPayload(item=MallItem.from_model(item))

    @strawberry.mutation
    async def fulfil_redemption(
        self, info: Info[Context, None], id: strawberry.ID, tracking_number: str | None = None
    ) -> RedemptionPayload:
        viewer = await info.context.require_viewer()
        redemption = await mall.fulfil(viewer, pk_of(id, "Redemption"), tracking_number)
        return RedemptionPayload(redemption=Redemption.from_model(redemption))

    @strawberry.mutation(description="Refunds the points and returns the stock.")
    async def cancel_redemption(
        self, info: Info[Context, None], id: strawberry.ID, reason: str
    ) -> RedemptionPayload:
        viewer = await info.context.require_viewer()
        redemption = await mall.cancel(
            viewer, pk_of(id, "Redemption"), reason, rules=info.context.runtime.rules
        )
        return RedemptionPayload(redemption=Redemption.from_model(redemption))
