"""The demo community's member loop: a few mall items (one of each kind, coupon codes included),
demo-alice's tasks in progress (one reward claimed), an open survey, and a comment on an
answer. Keyed by titles and bodies, so a second run adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import mall, surveys, tasks
from domain.comments import add_answer_comment
from domain.models import (
    Answer,
    Comment,
    MallItem,
    MallItemKind,
    MemberTask,
    Survey,
    SurveyQuestionKind,
    User,
)
from domain.publishing import NO_SCREENING  # demo texts, written here, not by members
from domain.rules import CommunityRules

MALL_ITEMS = (
    ("社区头像框", "兑换后个人主页显示专属头像框", MallItemKind.VIRTUAL, 50, None, None),
    ("咖啡兑换券", "合作咖啡店中杯饮品一杯", MallItemKind.COUPON, 100, None, 2),
    ("圈子帆布袋", "社区定制帆布袋，包邮到家", MallItemKind.PHYSICAL, 300, 20, 1),
)
COUPON_CODES = [f"DEMO-COFFEE-{n:03d}" for n in range(1, 6)]
SURVEY_TITLE = "社区满意度调查"
ANSWER_COMMENT = "这个回答很有帮助，收藏了"


async def seed_member_loop(members: dict[str, User], rules: CommunityRules) -> dict[str, int]:
    operator, alice = members["demo-operator"], members["demo-alice"]
    items = 0
    for title, description, kind, price, stock, limit in MALL_ITEMS:
        if await MallItem.exists(title=title):
            continue
        draft = mall.ItemDraft(
            title=title,
            description=description,
            kind=kind,
            price_points=price,
            stock=stock,
            per_member_limit=limit,
        )
        item = await mall.create_item(operator, draft)
        if kind is MallItemKind.COUPON:
            await mall.add_codes(operator, item.id, COUPON_CODES)
        items += 1
    # demo-alice's onboarding is under way: her first post's reward claimed, the rest to do.
    if not await MemberTask.exists(user_id=alice.id, claimed_at__isnull=False):
        done = [t for t in await tasks.tasks_of(alice, rules=rules) if t.completed]
        if done:
            await tasks.claim(alice, done[0].code, rules=rules)
    opened = 0
    if not await Survey.exists(title=SURVEY_TITLE):
        q = surveys.QuestionDraft
        await surveys.create(
            operator,
            SURVEY_TITLE,
            "花两分钟告诉我们你的想法，提交即得 5 积分。",
            datetime.now(UTC) + timedelta(days=30),
            5,
            [
                q(
                    SurveyQuestionKind.SINGLE,
                    "你最常使用哪个功能？",
                    options=["帖子", "圈子", "活动", "问答"],
                ),
                q(
                    SurveyQuestionKind.MULTIPLE,
                    "你希望增加哪些活动？",
                    options=["徒步", "读书会", "摄影"],
                ),
                q(SurveyQuestionKind.RATING, "社区氛围打几分？"),
                q(SurveyQuestionKind.NPS, "你有多大可能把社区推荐给朋友？"),
                q(SurveyQuestionKind.TEXT, "还有什么建议？", required=False),
            ],
        )
        opened = 1
    answer = await Answer.filter(status="PUBLISHED").order_by("id").first()
    commented = 0
    if answer is not None and not await Comment.exists(body=ANSWER_COMMENT):
        await add_answer_comment(
            members["demo-bob"], answer.id, ANSWER_COMMENT, screener=NO_SCREENING, rules=rules
        )
        commented = 1
    return {"mall items created": items, "surveys opened": opened, "answer comments": commented}
