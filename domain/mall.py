"""The points mall (积分商城): operators put items up, members redeem them with points.

A redemption is money-like: exactly once per (member, idempotency key), never oversold (a
conditional UPDATE on the item's remaining stock, re-checked by PostgreSQL against the row's
newest version), never below zero points, and the spend is written to the ledger in the same
transaction as the stock and the redemption. Locks are always taken member row first, then the
item row, so redemptions and cancellations cannot deadlock each other."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, points, resubmits
from domain.errors import BadInput, Conflict, Forbidden, NotFound
from domain.models import (
    CouponStatus,
    MallItem,
    MallItemKind,
    PointsReason,
    Redemption,
    RedemptionStatus,
    User,
)
from domain.pagination import Page, keyset_page
from domain.publishing import check_length
from domain.rules import CommunityRules

QUANTITY_MAX = 10
CODES_MAX = 500
NUMBER_MAX = 1_000_000
KEY_MAX = 64


@dataclass
class ItemDraft:
    """An item's fields; None leaves a field as it is (updates) or takes its default."""

    title: str | None = None
    description: str | None = None
    image_url: str | None = None
    kind: MallItemKind | None = None
    price_points: int | None = None
    stock: int | None = None
    per_member_limit: int | None = None
    min_level: int | None = None
    active: bool | None = None


@dataclass(frozen=True)
class Shipping:
    name: str
    phone: str
    address: str


def _check_operator(actor: User) -> None:
    if not access.can_run_mall(actor):
        raise Forbidden()


def _checked(draft: ItemDraft) -> dict[str, Any]:
    """The draft's given fields, bounded (BAD_USER_INPUT naming the field)."""
    values: dict[str, Any] = {}
    for f in fields(draft):
        value = getattr(draft, f.name)
        if value is None:
            continue
        camel = f.name.split("_")[0] + "".join(w.title() for w in f.name.split("_")[1:])
        if f.name == "title":
            value = check_length(value, "title", max=60)
        elif f.name == "description":
            value = check_length(value, "description", max=500, min=0)
        elif f.name == "image_url":
            value = check_length(value, "imageUrl", max=512, min=0)
        elif isinstance(value, int) and not isinstance(value, bool):
            low = 1 if f.name in ("price_points", "per_member_limit") else 0
            if not low <= value <= NUMBER_MAX:
                raise BadInput("mall_number", field=camel, max=NUMBER_MAX)
        values[f.name] = value
    return values


async def create_item(actor: User, draft: ItemDraft) -> MallItem:
    _check_operator(actor)
    values = _checked(draft)
    for required in ("title", "kind", "price_points"):
        if required not in values:
            raise BadInput(field=required.replace("_points", "Points"))
    if values["kind"] is MallItemKind.COUPON:
        values["stock"] = 0  # a coupon's stock is its codes, uploaded with addCouponCodes
    stock = values.get("stock")
    async with in_transaction() as conn:
        await resubmits.hold(actor.id, conn)
        same = {k: values[k] for k in ("title", "kind", "price_points")}
        sent = await resubmits.created("mall_items", conn, **same)
        if sent is not None:  # clicked twice: one shelf item, one stock
            return await MallItem.get(id=sent, using_db=conn)
        return await MallItem.create(**values, remaining=stock, using_db=conn)


async def update_item(actor: User, item_id: int, draft: ItemDraft) -> MallItem:
    """Change an item; a new stock moves `remaining` by the same amount (never below the
    redemptions already made). A COUPON item's stock follows its codes only."""
    _check_operator(actor)
    values = _checked(draft)
    async with in_transaction() as conn:
        item = await MallItem.filter(id=item_id).using_db(conn).select_for_update().first()
        if item is None:
            raise NotFound(field="id")
        if "kind" in values and values["kind"] != item.kind:
            raise BadInput(field="kind")  # redemptions depend on the kind
        if "stock" in values:
            stock = values.pop("stock")
            if item.kind is MallItemKind.COUPON:
                raise BadInput("mall_not_coupon", field="stock")
            taken = await _taken(item, conn)
            if stock < taken:
                raise BadInput("mall_number", field="stock", max=NUMBER_MAX)
            item.stock, item.remaining = stock, stock - taken
        for name, value in values.items():
            setattr(item, name, value)
        await item.save(using_db=conn)
    return item


async def _taken(item: MallItem, conn: Any) -> int:
    """How many of an item are out (redeemed and not cancelled)."""
    if item.stock is not None and item.remaining is not None:
        return item.stock - item.remaining
    rows = await sql.fetch(
        "SELECT COALESCE(sum(quantity), 0) AS n FROM redemptions "
        "WHERE item_id = $1 AND status <> $2",
        item.id,
        RedemptionStatus.CANCELLED.value,
        conn=conn,
    )
    return int(rows[0]["n"])


async def add_codes(actor: User, item_id: int, codes: list[str]) -> MallItem:
    """Upload coupon codes to a COUPON item's pool; codes already there are skipped."""
    _check_operator(actor)
    cleaned = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not 1 <= len(cleaned) <= CODES_MAX or any(len(c) > 64 for c in cleaned):
        raise BadInput("mall_codes", field="codes", max=CODES_MAX)
    async with in_transaction() as conn:
        item = await MallItem.filter(id=item_id).using_db(conn).select_for_update().first()
        if item is None:
            raise NotFound(field="itemId")
        if item.kind is not MallItemKind.COUPON:
            raise BadInput("mall_not_coupon", field="itemId")
        added = await sql.fetch(
            "INSERT INTO coupon_codes (item_id, code, status, created_at) "
            "SELECT $1, unnest($2::text[]), $3, now() ON CONFLICT (item_id, code) DO NOTHING "
            "RETURNING id",
            item_id,
            cleaned,
            CouponStatus.FREE.value,
            conn=conn,
        )
        item.stock = (item.stock or 0) + len(added)
        item.remaining = (item.remaining or 0) + len(added)
        await item.save(using_db=conn)
    return item


def _check_redeem_input(quantity: int, key: str, kind: MallItemKind) -> None:
    if not 1 <= quantity <= QUANTITY_MAX or (kind is MallItemKind.COUPON and quantity != 1):
        raise BadInput("mall_quantity", field="quantity", max=QUANTITY_MAX)
    if not 1 <= len(key) <= KEY_MAX:
        raise BadInput(field="idempotencyKey")


def _checked_shipping(shipping: Shipping | None) -> Shipping:
    if shipping is None:
        raise BadInput("mall_shipping", field="shipping")
    return Shipping(
        check_length(shipping.name, "shipping.name", max=40),
        check_length(shipping.phone, "shipping.phone", max=32),
        check_length(shipping.address, "shipping.address", max=200),
    )


async def redeem(
    user: User,
    item_id: int,
    quantity: int,
    key: str,
    shipping: Shipping | None,
    *,
    rules: CommunityRules,
) -> Redemption:
    """Redeem `quantity` of an item; the same key again returns the first redemption (another
    item or quantity with it: CONFLICT)."""
    item = await MallItem.filter(id=item_id).first()
    if item is None:
        raise NotFound(field="itemId")
    _check_redeem_input(quantity, key, item.kind)
    ship = _checked_shipping(shipping) if item.kind is MallItemKind.PHYSICAL else None
    try:
        async with in_transaction() as conn:
            # The member's row lock puts one member's redemptions in a line: the key, the
            # per-member limit and the balance are read exactly.
            me = await sql.fetch(
                "SELECT points FROM users WHERE id = $1 FOR NO KEY UPDATE", user.id, conn=conn
            )
            first = (
                await Redemption.filter(user_id=user.id, idempotency_key=key).using_db(conn).first()
            )
            if first is not None:
                if first.item_id != item_id or first.quantity != quantity:  # type: ignore[attr-defined]
                    raise Conflict("mall_key_reused", field="idempotencyKey")
                return first
            if not item.active:
                raise Conflict("mall_item_off", field="itemId")
            if item.min_level is not None and rules.level_for(me[0]["points"]) < item.min_level:
                raise Forbidden("mall_level", level=item.min_level)
            price = item.price_points * quantity
            if me[0]["points"] < price:
                raise BadInput("mall_points", field="itemId")
            if item.per_member_limit is not None:
                had = await sql.fetch(
                    "SELECT COALESCE(sum(quantity), 0) AS n FROM redemptions "
                    "WHERE user_id = $1 AND item_id = $2 AND status <> $3",
                    user.id,
                    item_id,
                    RedemptionStatus.CANCELLED.value,
                    conn=conn,
                )
                if had[0]["n"] + quantity > item.per_member_limit:
                    raise Conflict("mall_limit", field="quantity")
            # Never oversold: the stock moves only while enough is left.
            taken = await sql.fetch(
                "UPDATE mall_items SET remaining = remaining - $2, updated_at = now() "
                "WHERE id = $1 AND active AND (remaining IS NULL OR remaining >= $2) "
                "RETURNING remaining",
                item_id,
                quantity,
                conn=conn,
            )
            if not taken:
                raise Conflict("mall_sold_out", field="itemId")
            physical = item.kind is MallItemKind.PHYSICAL
            redemption = await Redemption.create(
                user_id=user.id,
                item_id=item_id,
                quantity=quantity,
                points_spent=price,
                status=RedemptionStatus.PENDING if physical else RedemptionStatus.FULFILLED,
                idempotency_key=key,
                shipping_name=ship.name if ship else None,
                shipping_phone=ship.phone if ship else None,
                shipping_address=ship.address if ship else None,
                using_db=conn,
            )
            if item.kind is MallItemKind.COUPON:
                code = await sql.fetch(
                    "UPDATE coupon_codes SET status = $2, redemption_id = $3 WHERE id = ("
                    "SELECT id FROM coupon_codes WHERE item_id = $1 AND status = $4 "
                    "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING code",
                    item_id,
                    CouponStatus.ISSUED.value,
                    redemption.id,
                    CouponStatus.FREE.value,
                    conn=conn,
                )
                if not code:
                    raise Conflict("mall_sold_out", field="itemId")
                redemption.coupon_code = code[0]["code"]
                await redemption.save(using_db=conn, update_fields=["coupon_code"])
            spent = await points.award(
                user.id,
                -price,
                PointsReason.MALL_REDEMPTION,
                f"mall:redeem:{redemption.id}",
                conn,
                rules=rules,
                target=("REDEMPTION", redemption.id),
            )
            if spent is None:
                raise BadInput("mall_points", field="itemId")
    except IntegrityError:
        # The same key raced in on another connection: the first one stands.
        first = await Redemption.filter(user_id=user.id, idempotency_key=key).first()
        if first is None:
            raise
        return first
    return redemption


async def _locked_redemption(redemption_id: int, conn: Any) -> Redemption:
    row = await Redemption.filter(id=redemption_id).using_db(conn).first()
    if row is None:
        raise NotFound(field="id")
    # Member row first, then the redemption and the item (the order redeem takes).
    await sql.fetch(
        "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE",
        row.user_id,  # type: ignore[attr-defined]
        conn=conn,
    )
    locked = await Redemption.filter(id=redemption_id).using_db(conn).select_for_update().first()
    assert locked is not None
    return locked


async def cancel(
    actor: User, redemption_id: int, reason: str, *, rules: CommunityRules
) -> Redemption:
    """Cancel a redemption: its points come back and its stock returns to the shelf, except a
    COUPON's code, which is void and never handed out again."""
    _check_operator(actor)
    reason = check_length(reason, "reason", max=200)
    async with in_transaction() as conn:
        redemption = await _locked_redemption(redemption_id, conn)
        if redemption.status is RedemptionStatus.CANCELLED:
            raise Conflict("mall_redemption_closed", field="id")
        voided = await sql.fetch(
            "UPDATE coupon_codes SET status = $2 WHERE redemption_id = $1 RETURNING id",
            redemption.id,
            CouponStatus.VOID.value,
            conn=conn,
        )
        if not voided:
            await sql.execute(
                # Without a stock (remaining NULL) it stays NULL; the row is locked all the
                # same, so that a stock set meanwhile counts this redemption as given back.
                "UPDATE mall_items SET remaining = remaining + $2, updated_at = now() "
                "WHERE id = $1",
                redemption.item_id,  # type: ignore[attr-defined]
                redemption.quantity,
                conn=conn,
            )
        await points.award(
            redemption.user_id,  # type: ignore[attr-defined]
            redemption.points_spent,
            PointsReason.MALL_REFUND,
            f"mall:refund:{redemption.id}",
            conn,
            rules=rules,
            target=("REDEMPTION", redemption.id),
        )
        redemption.status = RedemptionStatus.CANCELLED
        redemption.cancel_reason = reason
        await redemption.save(using_db=conn)
    return redemption


async def fulfil(actor: User, redemption_id: int, tracking_number: str | None) -> Redemption:
    """An operator ships a PENDING (physical) redemption, with its tracking number."""
    _check_operator(actor)
    tracking = check_length(tracking_number, "trackingNumber", max=64) if tracking_number else None
    async with in_transaction() as conn:
        redemption = await _locked_redemption(redemption_id, conn)
        if redemption.status is not RedemptionStatus.PENDING:
            raise Conflict("mall_redemption_closed", field="id")
        redemption.status = RedemptionStatus.FULFILLED
        redemption.tracking_number = tracking
        await redemption.save(using_db=conn)
    return redemption


async def shelf(
    *, first: int | None, after: str | None, cap: int, actor: User | None = None
) -> Page[MallItem]:
    """The items on offer, newest first; with an operator as `actor`, switched-off ones too."""
    if actor is not None:
        _check_operator(actor)
    query = MallItem.all() if actor is not None else MallItem.filter(active=True)
    return await keyset_page(query, first=first, after=after, order=("-id",), cap=cap)


async def redemptions_of(
    user: User, *, first: int | None, after: str | None, cap: int
) -> Page[Redemption]:
    query = Redemption.filter(user_id=user.id)
    order = ("-created_at", "-id")
    return await keyset_page(query, first=first, after=after, order=order, cap=cap)


def queue_query(actor: User, status: RedemptionStatus | None) -> Any:
    """The operators' queue (all redemptions, or those in one status)."""
    _check_operator(actor)
    query = Redemption.all()
    return query.filter(status=status) if status is not None else query


async def redeemed_counts(user_id: int, item_ids: list[int]) -> list[int]:
    """How many of each item the member redeemed (not cancelled), in one query."""
    rows = await sql.fetch(
        "SELECT item_id, sum(quantity) AS n FROM redemptions WHERE user_id = $1 "
        "AND item_id = ANY($2::bigint[]) AND status <> $3 GROUP BY item_id",
        user_id,
        item_ids,
        RedemptionStatus.CANCELLED.value,
    )
    counts = {r["item_id"]: int(r["n"]) for r in rows}
    return [counts.get(i, 0) for i in item_ids]
