"""WeChat subscribe messages: members grant one message per template at a time
(wx.requestSubscribeMessage); a notification of a kind with a template uses up one grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters import sql
from adapters.redis import Store
from adapters.wechat import WeChatClient, stable_token
from domain.errors import BadInput
from domain.models import User

GRANTS_PER_CALL_MAX = 10
GRANT_MAX = 50  # grants kept per template; WeChat sends at most one message per grant
THING_MAX = 20  # WeChat's "thing" fields take at most 20 characters


async def record_grants(user: User, template_ids: list[str]) -> int:
    """Record the templates the member just accepted; each allows one more message."""
    ids = [t.strip() for t in template_ids if t.strip()]
    if not 1 <= len(ids) <= GRANTS_PER_CALL_MAX or any(len(t) > 64 for t in ids):
        raise BadInput(field="templateIds")
    await sql.fetch(
        "INSERT INTO subscribe_grants (user_id, template_id, remaining, updated_at) "
        "SELECT $1, unnest($2::text[]), 1, now() ON CONFLICT (user_id, template_id) "
        f"DO UPDATE SET remaining = LEAST(subscribe_grants.remaining + 1, {GRANT_MAX}), "
        "updated_at = now() RETURNING id",
        user.id,
        ids,
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


@dataclass(frozen=True)
class SendResult:
    sent: bool
    retry: bool  # a transient failure: the job should try again


async def send(
    wechat: WeChatClient,
    store: Store,
    *,
    openid: str,
    template_id: str,
    text: str,
    when: datetime,
    page: str,
) -> SendResult:
    """POST subscribe/send; the access token is refreshed once when WeChat says it expired.
    `when` is shown as given: on the community's clock."""
    payload = {
        "touser": openid,
        "template_id": template_id,
        "page": page,
        "data": {
            "thing1": {"value": text if len(text) <= THING_MAX else text[: THING_MAX - 1] + "…"},
            "time2": {"value": when.strftime("%Y-%m-%d %H:%M")},
        },
        "miniprogram_state": "formal",
        "lang": "zh_CN",
    }
    for attempt in range(2):
        token = await stable_token(wechat, store, force=attempt > 0)
        response = await wechat.http.post(
            wechat.api_base.rstrip("/") + "/cgi-bin/message/subscribe/send",
            params={"access_token": token},
            json=payload,
            timeout=wechat.timeout,
        )
        if response.status_code >= 500:
            return SendResult(False, retry=True)
        errcode = int(response.json().get("errcode") or 0)
        if errcode in (40001, 42001) and attempt == 0:
            continue
        if errcode == 0:
            return SendResult(True, retry=False)
        # -1 is WeChat busy; the rest (43101 refused, 47003 bad data...) will not get better.
        return SendResult(False, retry=errcode == -1)
    return SendResult(False, retry=True)
