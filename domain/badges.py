"""Badges, awarded by rule and once per member."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain.models import NotificationKind
from domain.notify import notify

# code -> (name, description)
BADGES: dict[str, tuple[str, str]] = {
    "FIRST_POST": ("初次发帖", "发布了第一篇帖子"),
    "FIRST_ACCEPTED": ("最佳回答", "第一次有回答被采纳"),
    "STREAK_7": ("坚持打卡", "连续签到 7 天"),
    "LIKES_100": ("人气作者", "累计获得 100 个赞"),
    "FEATURED_AUTHOR": ("精选作者", "有帖子被选为精选"),
    "EVENT_ATTENDEE": ("活动达人", "参加了社区活动"),
    "INVITER": ("邀请达人", "邀请的新成员发布了第一篇帖子"),
}
LIKES_FOR_BADGE = 100


async def grant(user_id: int, code: str, conn: BaseDBAsyncClient) -> bool:
    """Give a badge once; True when it is new."""
    if code not in BADGES:
        raise ValueError(f"unknown badge {code}")
    new = await sql.insert_unique("user_badges", {"user_id": user_id, "code": code}, conn=conn)
    if new:
        await notify(user_id, NotificationKind.BADGE, conn, snippet=BADGES[code][0])
    return new
