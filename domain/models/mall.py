"""The points mall: items members redeem with points, coupon code pools, redemptions."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class MallItemKind(StrEnum):
    VIRTUAL = "VIRTUAL"  # delivered at once (a profile frame, a title)
    COUPON = "COUPON"  # one code from the item's pool per redemption
    PHYSICAL = "PHYSICAL"  # shipped: waits for an operator's tracking number


class RedemptionStatus(StrEnum):
    PENDING = "PENDING"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"


class CouponStatus(StrEnum):
    FREE = "FREE"
    ISSUED = "ISSUED"
    VOID = "VOID"  # issued to a redemption that was cancelled: never handed out again


class MallItem(Model):
    """`stock` is how many were put up and `remaining` how many are left (both null for
    unlimited); a COUPON item's stock counts its codes and remaining its free ones."""

    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=60)
    description = fields.CharField(max_length=500, default="")
    image_url = fields.CharField(max_length=512, default="")
    kind = fields.CharEnumField(MallItemKind, max_length=8)
    price_points = fields.IntField()
    stock = fields.IntField(null=True)
    remaining = fields.IntField(null=True)
    per_member_limit = fields.IntField(null=True)
    min_level = fields.IntField(null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "mall_items"
        indexes = (Index(fields=("active", "id"), name="mall_items_shelf_idx"),)


class CouponCode(Model):
    id = fields.BigIntField(primary_key=True)
    item: fields.ForeignKeyRelation[MallItem] = fields.ForeignKeyField(
        "models.MallItem", related_name="codes", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=64)
    status = fields.CharEnumField(CouponStatus, max_length=8, default=CouponStatus.FREE)
    redemption_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "coupon_codes"
        unique_together = (("item", "code"),)
        indexes = (Index(fields=("item_id", "status", "id"), name="coupon_codes_pool_idx"),)


class Redemption(Model):
    """One member's redemption, exactly once per (member, idempotency key)."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="redemptions", on_delete=fields.CASCADE
    )
    item: fields.ForeignKeyRelation[MallItem] = fields.ForeignKeyField(
        "models.MallItem", related_name="redemptions", on_delete=fields.CASCADE
    )
    quantity = fields.IntField()
    points_spent = fields.IntField()
    status = fields.CharEnumField(RedemptionStatus, max_length=10)
    idempotency_key = fields.CharField(max_length=64)
    coupon_code = fields.CharField(max_length=64, null=True)
    shipping_name = fields.CharField(max_length=40, null=True)
    shipping_phone = fields.CharField(max_length=32, null=True)
    shipping_address = fields.CharField(max_length=200, null=True)
    tracking_number = fields.CharField(max_length=64, null=True)
    cancel_reason = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "redemptions"
        unique_together = (("user", "idempotency_key"),)
        indexes = (
            Index(fields=("user_id", "created_at", "id"), name="redemptions_member_idx"),
            Index(fields=("user_id", "item_id", "status"), name="redemptions_limit_idx"),
            Index(fields=("status", "created_at", "id"), name="redemptions_queue_idx"),
            Index(fields=("created_at", "id"), name="redemptions_all_idx"),
        )
