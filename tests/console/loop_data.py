"""Seeded data for the 积分商城 and 问卷 pages: items with redemptions in each status, and a
survey answered by a handful of members (what the HTTP and browser tests read)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import mall, points, surveys
from domain.models import (
    MallItem,
    MallItemKind,
    PointsReason,
    Redemption,
    Survey,
    SurveyQuestionKind,
    User,
)
from quanzi.bootstrap import Runtime
from tests.factories import RULES, make_user

K = SurveyQuestionKind
SHIP = mall.Shipping("张三", "13800000000", "上海市徐汇区漕溪北路 1 号")
# What five members answer: (choice, [multiple], rating, nps, text).
ANSWERS = (
    (0, [0, 1], 5, 10, "希望多办线下活动"),
    (0, [1], 4, 9, "=cmd|' /C calc'!A0"),
    (1, [0, 2], 4, 8, None),
    (0, [2], 3, 6, "客服回复慢"),
    (2, [0], 2, 7, None),
)


async def member_with(points_: int, nickname: str | None = None) -> User:
    user = await make_user(nickname=nickname)
    async with in_transaction() as conn:
        await points.award(
            user.id, points_, PointsReason.FEATURED, f"seed:{user.id}", conn, rules=RULES
        )
    await user.refresh_from_db()
    return user


@dataclass
class Mall:
    mug: MallItem
    coupon: MallItem
    pending: Redemption
    member: User


async def seed_mall(operator: User) -> Mall:
    draft = mall.ItemDraft
    mug = await mall.create_item(
        operator,
        draft(
            title="圈子马克杯",
            kind=MallItemKind.PHYSICAL,
            price_points=120,
            stock=20,
            per_member_limit=2,
            min_level=1,
        ),
    )
    coupon = await mall.create_item(
        operator, draft(title="咖啡券", kind=MallItemKind.COUPON, price_points=50)
    )
    await mall.add_codes(operator, coupon.id, ["CAFE-001", "CAFE-002", "CAFE-003"])
    await mall.create_item(
        operator, draft(title="头像框·星空", kind=MallItemKind.VIRTUAL, price_points=30)
    )
    member = await member_with(500, nickname="兑换达人")
    await mall.redeem(member, coupon.id, 1, "seed-coupon", None, rules=RULES)
    pending = await mall.redeem(member, mug.id, 1, "seed-mug", SHIP, rules=RULES)
    return Mall(mug=mug, coupon=coupon, pending=pending, member=member)


async def seed_survey(operator: User, runtime: Runtime) -> Survey:
    survey = await surveys.create(
        operator,
        "社区满意度调查",
        "请告诉我们你的感受",
        None,
        10,
        [
            surveys.QuestionDraft(K.SINGLE, "你最常用的功能", options=["问答", "圈子", "活动"]),
            surveys.QuestionDraft(K.MULTIPLE, "你希望加强的", options=["搜索", "推荐", "通知"]),
            surveys.QuestionDraft(K.RATING, "整体满意度"),
            surveys.QuestionDraft(K.NPS, "你有多大可能推荐给朋友"),
            surveys.QuestionDraft(K.TEXT, "还有什么建议", required=False),
        ],
    )
    questions = await surveys.questions_of(survey.id)
    (single, s_opts), (multi, m_opts), (rating, _), (nps, _), (text, _) = questions
    for choice, several, score, recommend, words in ANSWERS:
        given = [
            surveys.Given(single.id, option_ids=[s_opts[choice].id]),
            surveys.Given(multi.id, option_ids=[m_opts[i].id for i in several]),
            surveys.Given(rating.id, score=score),
            surveys.Given(nps.id, score=recommend),
        ]
        if words:
            given.append(surveys.Given(text.id, text=words))
        await surveys.respond(
            await member_with(0), survey.id, given, screener=runtime.screener, rules=RULES
        )
    return survey
