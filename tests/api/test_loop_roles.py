"""The member loop's back office (wave2/member-loop.graphql, the console group): a member is
refused every operation with FORBIDDEN and nothing is written."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from api.ids import to_global_id
from domain import mall, points
from domain.models import (
    CouponCode,
    MallItem,
    MallItemKind,
    PointsEntry,
    PointsReason,
    Redemption,
    Role,
    Survey,
    SurveyQuestionKind,
)
from domain.surveys import QuestionDraft, create
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_user, token_for


async def _snapshot() -> dict[str, object]:
    return {
        "items": await MallItem.all().values("id", "title", "price_points", "stock", "remaining"),
        "codes": await CouponCode.all().count(),
        "redemptions": await Redemption.all().values("id", "status", "tracking_number"),
        "surveys": await Survey.all().values("id", "title", "closes_at"),
        "ledger": await PointsEntry.all().count(),
    }


async def test_a_member_is_forbidden_every_back_office_operation(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    item = await mall.create_item(
        operator, mall.ItemDraft(title="徽章", kind=MallItemKind.VIRTUAL, price_points=1, stock=3)
    )
    buyer = await make_user()
    async with in_transaction() as conn:
        await points.award(buyer.id, 10, PointsReason.FEATURED, "t", conn, rules=RULES)
    await buyer.refresh_from_db()
    redemption = await mall.redeem(buyer, item.id, 1, "k", None, rules=RULES)
    survey = await create(
        operator, "问卷", None, None, None, [QuestionDraft(SurveyQuestionKind.NPS, "推荐吗？")]
    )
    item_id, survey_id = to_global_id("MallItem", item.id), to_global_id("Survey", survey.id)
    redemption_id = to_global_id("Redemption", redemption.id)
    variables = {
        "CreateMallItem": {"input": {"title": "x", "kind": "VIRTUAL", "pricePoints": 1}},
        "UpdateMallItem": {"id": item_id, "input": {"pricePoints": 0}},
        "AddCouponCodes": {"itemId": item_id, "codes": ["A"]},
        "Redemptions": {"first": 5},
        "FulfilRedemption": {"id": redemption_id, "trackingNumber": "SF1"},
        "CancelRedemption": {"id": redemption_id, "reason": "想退"},
        "CreateSurvey": {"input": {"title": "x", "questions": [{"kind": "TEXT", "title": "?"}]}},
        "CloseSurvey": {"id": survey_id},
        "SurveyResults": {"id": survey_id},
    }
    before = await _snapshot()
    member = token_for(runtime, await make_user(role=Role.MEMBER))
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    for token in (member, moderator, token_for(runtime, buyer)):
        for name, values in variables.items():
            assert error_codes(await api.op(name, values, token=token)) == ["FORBIDDEN"], name
    assert await _snapshot() == before
