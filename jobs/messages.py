"""Sending WeChat subscribe messages for notifications, in the background, with retries."""

from __future__ import annotations

import asyncio
import logging

from domain import subscribe_messages
from domain.models import Notification, User
from jobs import state
from jobs.broker import task

log = logging.getLogger("quanzi.jobs.messages")

TEXTS = {
    "COMMENT": "有人评论了你的帖子",
    "REPLY": "有人回复了你的评论",
    "LIKE": "有人赞了你的内容",
    "FOLLOW": "有新朋友关注了你",
    "ANSWER": "你的问题有了新回答",
    "ANSWER_ACCEPTED": "你的回答被采纳了",
    "REVIEW_APPROVED": "你的内容已通过审核",
    "REVIEW_REJECTED": "你的内容未通过审核",
    "FEATURED": "你的帖子被选为精选",
    "BADGE": "你获得了新徽章",
    "EVENT_REMINDER": "你报名的活动即将开始",
    "FEEDBACK_REPLY": "你的反馈有了回复",
}
ATTEMPTS = 3


@task(task_name="quanzi.send_subscribe_message")
async def send_subscribe_message(notification_id: int, template_id: str) -> bool:
    """Send one notification as a subscribe message; transient WeChat failures are retried
    with backoff here, a crash by the queue's retry middleware."""
    rt = state.runtime()
    notification = await Notification.get_or_none(id=notification_id)
    if notification is None:
        return False
    user = await User.get(id=notification.recipient_id)  # type: ignore[attr-defined]
    page = (
        f"pages/post/index?id={notification.post_id}"
        if notification.post_id
        else "pages/inbox/index"
    )
    for attempt in range(ATTEMPTS):
        result = await subscribe_messages.send(
            rt.wechat,
            openid=user.openid,
            template_id=template_id,
            text=TEXTS.get(notification.kind, "你有一条新消息"),
            when=notification.updated_at,
            page=page,
        )
        if result.sent or not result.retry:
            return result.sent
        await asyncio.sleep(0.5 * 2**attempt)
    log.warning("subscribe message for notification %s not sent", notification_id)
    return False
