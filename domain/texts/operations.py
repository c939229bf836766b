"""Error messages of the console's operations side: scheduled posts and the content calendar,
collections, circle admins, running events (keys as in errors.py)."""

from __future__ import annotations

OPERATIONS_ERRORS: dict[str, dict[str, str]] = {
    "scheduled_needs_review": {
        "zh": "定时发布的内容会在无人值守时发出，不能包含需要审核的词语，请修改后再试",
        "en": "A scheduled post goes out unattended: it cannot hold words that need a review.",
    },
    "publish_at_window": {
        "zh": "发布时间需在 1 分钟到 {days} 天之后",
        "en": "The publish time must be between 1 minute and {days} days from now.",
    },
    "not_scheduled": {
        "zh": "这条帖子已经发布或不再是定时发布",
        "en": "This post was already published or is no longer scheduled.",
    },
    "calendar_range": {
        "zh": "日历的结束时间需晚于开始时间，且跨度不超过 {max} 天",
        "en": "The calendar's end must follow its start, at most {max} days later.",
    },
    "collection_description": {
        "zh": "专题简介不能超过 {max} 个字符",
        "en": "A collection's description has at most {max} characters.",
    },
    "not_in_collection": {
        "zh": "该帖子不在这个专题中",
        "en": "This post is not in the collection.",
    },
    "collection_position": {
        "zh": "位置需为 0 或正整数",
        "en": "The position is 0 or more.",
    },
    "event_cancelled": {"zh": "活动已取消", "en": "The event was cancelled."},
    "event_ended": {"zh": "活动已结束", "en": "The event is over."},
    "event_capacity_below_signups": {
        "zh": "人数上限不能少于已报名的 {count} 人",
        "en": "The capacity cannot be below the {count} members already signed up.",
    },
    "event_reward_locked": {
        "zh": "已有成员签到，不能再修改积分奖励",
        "en": "Members have checked in already: the reward can no longer change.",
    },
    "cancel_reason": {
        "zh": "取消原因需为 1 到 {max} 个字符",
        "en": "The reason for cancelling is 1 to {max} characters.",
    },
    "not_an_active_member": {
        "zh": "该用户不是这个圈子的成员",
        "en": "This member has not joined the circle.",
    },
    "member_banned": {
        "zh": "该用户已被封禁，不能担任圈子管理员",
        "en": "A banned member cannot run a circle.",
    },
    "text_too_long": {"zh": "最多 {max} 个字符", "en": "At most {max} characters."},
}
