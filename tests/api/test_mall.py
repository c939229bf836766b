"""The points mall through the wave's operations: a race that never oversells, idempotent
retries, a cancel that refunds, coupon codes handed out once, and the back office's roles."""

from __future__ import annotations

import asyncio

from tortoise.transactions import in_transaction

from domain import points
from domain.models import CouponCode, PointsEntry, PointsReason, Redemption, Role, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_user, token_for


async def _member_with(runtime: Runtime, amount: int) -> tuple[User, str]:
    user = await make_user()
    async with in_transaction() as conn:
        await points.award(
            user.id, amount, PointsReason.FEATURED, f"t:{user.id}", conn, rules=RULES
        )
    await user.refresh_from_db()
    return user, token_for(runtime, user)


async def _item(api: Api, operator: str, **fields: object) -> dict:
    values = {"title": "周边徽章", "kind": "VIRTUAL", "pricePoints": 10, **fields}
    result = await api.op("CreateMallItem", {"input": values}, token=operator)
    assert "errors" not in result, result
    return result["data"]["createMallItem"]["item"]


async def test_two_hundred_members_racing_for_fifty_items_get_exactly_fifty(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    item = await _item(api, operator, stock=50, pricePoints=30)
    members = [await _member_with(runtime, 100) for _ in range(200)]

    async def redeem(token: str) -> dict:
        variables = {"itemId": item["id"], "quantity": 1, "idempotencyKey": "race-1"}
        return await api.op("RedeemItem", variables, token=token)

    results = await asyncio.gather(*(redeem(token) for _, token in members))
    won = [r for r in results if "errors" not in r]
    lost = [r for r in results if "errors" in r]
    assert (len(won), len(lost)) == (50, 150)
    assert {tuple(error_codes(r)) for r in lost} == {("CONFLICT",)}
    assert {r["errors"][0]["message"] for r in lost} == {"该商品已兑完"}
    assert {r["data"]["redeemItem"]["viewer"]["points"] for r in won} == {70}
    assert won[-1]["data"]["redeemItem"]["redemption"]["item"]["remaining"] >= 0
    assert await Redemption.all().count() == 50
    balances = sorted([(await User.get(id=u.id)).points for u, _ in members])
    assert balances == [70] * 50 + [100] * 150  # the 150 refused kept every point
    assert await PointsEntry.filter(reason=PointsReason.MALL_REDEMPTION).count() == 50
    shelf = await api.op("MallItems", {"first": 10}, token=members[0][1])
    [edge] = shelf["data"]["mallItems"]["edges"]
    assert (edge["node"]["stock"], edge["node"]["remaining"]) == (50, 0)
    assert edge["node"]["viewerCanRedeem"] is False


async def test_the_same_key_is_one_redemption_and_another_item_with_it_conflicts(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    item = await _item(api, operator, stock=5, perMemberLimit=3)
    other = await _item(api, operator, title="另一件")
    member, token = await _member_with(runtime, 100)
    variables = {"itemId": item["id"], "quantity": 2, "idempotencyKey": "k-1"}
    retries = await asyncio.gather(
        *(api.op("RedeemItem", variables, token=token) for _ in range(5))
    )
    ids = {r["data"]["redeemItem"]["redemption"]["id"] for r in retries}
    assert len(ids) == 1
    assert (await User.get(id=member.id)).points == 80
    clash = {"itemId": other["id"], "quantity": 2, "idempotencyKey": "k-1"}
    assert error_codes(await api.op("RedeemItem", clash, token=token)) == ["CONFLICT"]
    over = {"itemId": item["id"], "quantity": 2, "idempotencyKey": "k-2"}
    assert error_codes(await api.op("RedeemItem", over, token=token)) == ["CONFLICT"]  # limit 3
    too_many = {"itemId": item["id"], "quantity": 11, "idempotencyKey": "k-3"}
    refused = await api.op("RedeemItem", too_many, token=token)
    assert error_codes(refused) == ["BAD_USER_INPUT"]
    assert refused["errors"][0]["extensions"]["field"] == "quantity"
    poor, poor_token = await _member_with(runtime, 5)
    broke = {"itemId": item["id"], "quantity": 1, "idempotencyKey": "k-4"}
    assert error_codes(await api.op("RedeemItem", broke, token=poor_token)) == ["BAD_USER_INPUT"]
    assert (await User.get(id=poor.id)).points == 5
    mine = await api.op("MyRedemptions", {"first": 10}, token=token)
    [edge] = mine["data"]["myRedemptions"]["edges"]
    assert (edge["node"]["quantity"], edge["node"]["pointsSpent"]) == (2, 20)


async def test_a_physical_item_waits_for_shipping_and_a_cancel_refunds_and_restocks(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    item = await _item(api, operator, kind="PHYSICAL", stock=2, pricePoints=40, title="保温杯")
    member, token = await _member_with(runtime, 100)
    no_address = {"itemId": item["id"], "quantity": 1, "idempotencyKey": "cup"}
    assert error_codes(await api.op("RedeemItem", no_address, token=token)) == ["BAD_USER_INPUT"]
    shipping = {"name": "张三", "phone": "13800000000", "address": "上海市浦东新区 1 号"}
    redeemed = await api.op("RedeemItem", {**no_address, "shipping": shipping}, token=token)
    redemption = redeemed["data"]["redeemItem"]["redemption"]
    assert redemption["status"] == "PENDING" and redemption["item"]["remaining"] == 1
    second = {"itemId": item["id"], "quantity": 1, "idempotencyKey": "cup-2", "shipping": shipping}
    other = (await api.op("RedeemItem", second, token=token))["data"]["redeemItem"]["redemption"]

    member_token = token_for(runtime, await make_user())
    queue_vars = {"status": "PENDING", "first": 10}
    assert error_codes(await api.op("Redemptions", queue_vars, token=member_token)) == ["FORBIDDEN"]
    refused = await api.op("CancelRedemption", {"id": redemption["id"], "reason": "x"}, token=token)
    assert error_codes(refused) == ["FORBIDDEN"]
    queue = await api.op("Redemptions", queue_vars, token=operator)
    assert queue["data"]["redemptions"]["totalCount"] == 2
    assert queue["data"]["redemptions"]["edges"][0]["node"]["shipping"] == shipping

    shipped = await api.op(
        "FulfilRedemption", {"id": other["id"], "trackingNumber": "SF123"}, token=operator
    )
    assert shipped["data"]["fulfilRedemption"]["redemption"]["status"] == "FULFILLED"
    cancelled = await api.op(
        "CancelRedemption", {"id": redemption["id"], "reason": "缺货"}, token=operator
    )
    assert cancelled["data"]["cancelRedemption"]["redemption"]["status"] == "CANCELLED"
    assert (await User.get(id=member.id)).points == 60  # 100 - 40 - 40 + 40
    again = await api.op(
        "CancelRedemption", {"id": redemption["id"], "reason": "再"}, token=operator
    )
    assert error_codes(again) == ["CONFLICT"]
    assert (await User.get(id=member.id)).points == 60
    shelf = await api.op("MallItems", {"first": 10}, token=token)
    assert shelf["data"]["mallItems"]["edges"][0]["node"]["remaining"] == 1


async def test_a_coupon_code_is_handed_out_once_and_voided_by_a_cancel(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    item = await _item(api, operator, kind="COUPON", title="咖啡券")
    added = await api.op(
        "AddCouponCodes", {"itemId": item["id"], "codes": ["A1", "B2", "C3", "A1"]}, token=operator
    )
    assert added["data"]["addCouponCodes"]["item"] == {"id": item["id"], "stock": 3, "remaining": 3}
    members = [await _member_with(runtime, 50) for _ in range(5)]
    results = await asyncio.gather(
        *(
            api.op(
                "RedeemItem", {"itemId": item["id"], "quantity": 1, "idempotencyKey": "c"}, token=t
            )
            for _, t in members
        )
    )
    codes = [
        r["data"]["redeemItem"]["redemption"]["couponCode"] for r in results if "errors" not in r
    ]
    assert sorted(codes) == ["A1", "B2", "C3"]
    first = next(r for r in results if "errors" not in r)["data"]["redeemItem"]["redemption"]
    await api.op("CancelRedemption", {"id": first["id"], "reason": "用户申请"}, token=operator)
    assert await CouponCode.filter(code=first["couponCode"], status="VOID").exists()
    shelf = await api.op("MallItems", {"first": 10}, token=members[0][1])
    assert shelf["data"]["mallItems"]["edges"][0]["node"]["remaining"] == 0  # void, not back
    member_token = token_for(runtime, await make_user())
    update = await api.op(
        "UpdateMallItem", {"id": item["id"], "input": {"pricePoints": 1}}, token=member_token
    )
    assert error_codes(update) == ["FORBIDDEN"]
    changed = await api.op(
        "UpdateMallItem", {"id": item["id"], "input": {"pricePoints": 5}}, token=operator
    )
    assert changed["data"]["updateMallItem"]["item"]["pricePoints"] == 5
