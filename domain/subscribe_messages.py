"""WeChat subscribe messages: members grant one message per template at a time
(wx.requestSubscribeMessage); a notification of a kind with a template uses up one grant."""

from __future__ import annotations

from datetime import datetime

from adapters import sql
from domain.errors import BadInput
from domain.models import User
from domain.ports import SendResult, SubscribeMessageSender

GRANTS_PER_CALL_MAX = 10
GRANT_MAX = 50  # grants kept per template; WeChat sends at most one message per grant
THING_MAX = 20  # WeChat's "thing" fields take at most 20 characters


async def record_grants(user: User, template_ids: list[str]) -> int:
    """Record the templates the member just accepted; each allows one more message, however
    often the call repeats it (one upsert cannot touch a row twice)."""
    ids = list(dict.fromkeys(t.strip() for t in template_ids if t.strip()))
    if not 1 <= len(ids) <= GRANTS_PER_CALL_MAX or any(len(t) > 64 for t in ids):
        raise BadInput(field="templateIds")
    await sql.fetch(
        "INSERT INTO subscribe_grants (user_id, template_id, remaining, updated_at) "
        "SELECT $1, unnest($2::text[]), 1, now() ON CONFLICT (user_id, template_id) "
        f"DO UPDATE SET remaining = LEAST(subscribe_grants.remaining + 1, {GRANT_MAX}), "
        "updated_at = now() RETURNING id",
        user.id,
        sorted(ids),  # one order for the member's rows, whatever order two devices send
    )
    return len(ids)


async def take_grant(user_id: int, template_id: str) -> bool:
    """Use up one grant; False when the member has none left for the template."""
    rows = await sql.fetch(
        "UPDATE subscribe_grants SET remaining = remaining - 1, updated_at = now() "
        "WHERE user_id = $1 AND template_id = $2 AND remaining > 0 RETURNING id",
        user_id,
        template_id,
    )
    return bool(rows)


async def send(
    sender: SubscribeMessageSender,
    *,
    openid: str,
    template_id: str,
    text: str,
    when: datetime,
    page: str,
) -> SendResult:
    """Send one notification's subscribe message: its text and its time, shown as given (on
    the community's clock); the sender refreshes an expired access token itself."""
    data = {
        "thing1": text if len(text) <= THING_MAX else text[: THING_MAX - 1] + "…",
        "time2": when.strftime("%Y-%m-%d %H:%M"),
    }
    return await sender.send_subscribe_message(
        openid=openid, template_id=template_id, page=page, data=data
    )
