"""Sending WeChat subscribe messages for notifications, in the background, with retries."""

from __future__ import annotations

import asyncio
import logging

from domain import subscribe_messages
from domain.models import Notification, User
from domain.texts import TEXTS, render
from jobs.broker import task
from jobs.runtime import FromWorker, JobRuntime

log = logging.getLogger("quanzi.jobs.messages")

ATTEMPTS = 3


def _line(kind: str) -> str:
    """The message's line, in Chinese: the mini-program's language (a member's own is not
    known outside a request)."""
    key = f"subscribe.{kind}"
    return render(key if key in TEXTS else "subscribe.other")


@task(task_name="quanzi.send_subscribe_message")
async def send_subscribe_message(
    notification_id: int, template_id: str, runtime: JobRuntime = FromWorker
) -> bool:
    """Send one notification as a subscribe message; transient WeChat failures are retried
    with backoff here, a crash by the queue's retry middleware."""
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
            runtime.wechat,
            openid=user.openid,
            template_id=template_id,
            text=_line(notification.kind),
            when=runtime.rules.calendar.local(notification.updated_at),
            page=page,
        )
        if result.sent or not result.retry:
            return result.sent
        await asyncio.sleep(0.5 * 2**attempt)
    log.warning("subscribe message for notification %s not sent", notification_id)
    return False
