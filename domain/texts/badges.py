"""Badge names and descriptions, by badge code."""

from __future__ import annotations

BADGE_TEXTS: dict[str, dict[str, str]] = {
    "badge.FIRST_POST.name": {"zh": "初次发帖", "en": "First post"},
    "badge.FIRST_POST.description": {"zh": "发布了第一篇帖子", "en": "Published a first post"},
    "badge.FIRST_ACCEPTED.name": {"zh": "最佳回答", "en": "Best answer"},
    "badge.FIRST_ACCEPTED.description": {
        "zh": "第一次有回答被采纳",
        "en": "Had an answer accepted for the first time",
    },
    "badge.STREAK_7.name": {"zh": "坚持打卡", "en": "Steady streak"},
    "badge.STREAK_7.description": {"zh": "连续签到 7 天", "en": "Checked in 7 days in a row"},
    "badge.LIKES_100.name": {"zh": "人气作者", "en": "Popular author"},
    "badge.LIKES_100.description": {"zh": "累计获得 100 个赞", "en": "Received 100 likes"},
    "badge.FEATURED_AUTHOR.name": {"zh": "精选作者", "en": "Featured author"},
    "badge.FEATURED_AUTHOR.description": {"zh": "有帖子被选为精选", "en": "Had a post featured"},
    "badge.EVENT_ATTENDEE.name": {"zh": "活动达人", "en": "Event goer"},
    "badge.EVENT_ATTENDEE.description": {
        "zh": "参加了社区活动",
        "en": "Attended a community event",
    },
    "badge.INVITER.name": {"zh": "邀请达人", "en": "Inviter"},
    "badge.INVITER.description": {
        "zh": "邀请的新成员发布了第一篇帖子",
        "en": "Invited a new member who then posted",
    },
}
