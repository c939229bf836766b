"""Error messages of the member's loop: the points mall, the task centre, surveys."""

from __future__ import annotations

LOOP_ERRORS: dict[str, dict[str, str]] = {
    "mall_sold_out": {"zh": "该商品已兑完", "en": "This item is sold out."},
    "mall_points": {
        "zh": "积分不足，无法兑换",
        "en": "You do not have enough points for this item.",
    },
    "mall_limit": {
        "zh": "已达到该商品的每人兑换上限",
        "en": "You have reached this item's limit per member.",
    },
    "mall_level": {
        "zh": "等级达到 {level} 级才能兑换",
        "en": "This item needs level {level}.",
    },
    "mall_item_off": {"zh": "该商品已下架", "en": "This item is not on offer."},
    "mall_key_reused": {
        "zh": "该幂等键已用于另一次兑换",
        "en": "This idempotency key was used for another redemption.",
    },
    "mall_shipping": {
        "zh": "实物商品需要填写收货人、电话和地址",
        "en": "A physical item needs a name, phone and address to ship to.",
    },
    "mall_quantity": {"zh": "兑换数量为 1 到 {max}", "en": "The quantity is 1 to {max}."},
    "mall_redemption_closed": {
        "zh": "该兑换已取消或无法再处理",
        "en": "This redemption was cancelled or can no longer be handled that way.",
    },
    "mall_codes": {
        "zh": "每次可上传 1 到 {max} 个券码，每个券码最长 64 个字符",
        "en": "Upload 1 to {max} codes at a time, each at most 64 characters.",
    },
    "mall_not_coupon": {"zh": "只有券码商品可以上传券码", "en": "Only COUPON items take codes."},
    "mall_number": {"zh": "数值需在 0 到 {max} 之间", "en": "The number is 0 to {max}."},
    "member_task_not_found": {"zh": "没有这个任务", "en": "There is no such task."},
    "task_not_done": {"zh": "任务还没有完成", "en": "This task is not completed yet."},
    "task_claimed_already": {
        "zh": "该任务的奖励已经领取过了",
        "en": "This task's reward was already claimed.",
    },
    "survey_closed": {"zh": "问卷已截止", "en": "This survey is closed."},
    "survey_answered": {
        "zh": "你已经填写过这份问卷",
        "en": "You have already answered this survey.",
    },
    "survey_answer": {
        "zh": "问卷答案不符合题目要求",
        "en": "An answer does not fit its question.",
    },
    "survey_required": {"zh": "还有必答题没有作答", "en": "A required question has no answer."},
    "survey_shape": {
        "zh": "问卷需有 1 到 {max} 道题，选择题需有 2 到 20 个选项",
        "en": "A survey has 1 to {max} questions; a choice question 2 to 20 options.",
    },
}
