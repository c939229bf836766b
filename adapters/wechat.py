"""WeChat's jscode2session: turns a mini-program login code into the member's openid."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from redis.exceptions import RedisError

from adapters.redis import Store
from domain.errors import BadInput, Forbidden, RateLimited, ServiceUnavailable

log = logging.getLogger("quanzi.wechat")

# WeChat error codes that the member can do something about; anything else is ours or theirs.
_CODE_ERRORS = {
    40029: lambda: BadInput("wechat_code_invalid", field="code"),
    40163: lambda: BadInput("wechat_code_used", field="code"),
    45011: lambda: RateLimited("wechat_rate_limited"),
    40226: lambda: Forbidden("wechat_user_blocked"),
}


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str | None


@dataclass
class WeChatClient:
    http: httpx.AsyncClient
    api_base: str
    appid: str | None
    secret: str | None
    timeout: float = 5.0

    async def code_to_session(self, code: str) -> WeChatIdentity:
        """Exchange a wx.login() code; raise a QuanziError the client can act on when it fails."""
        if not self.appid or not self.secret:
            log.error("WECHAT_APPID / WECHAT_SECRET are not set; WeChat sign-in is unavailable")
            raise ServiceUnavailable("wechat_unavailable")
        try:
            response = await self.http.get(
                self.api_base.rstrip("/") + "/sns/jscode2session",
                params={
                    "appid": self.appid,
                    "secret": self.secret,
                    "js_code": code,
                    "grant_type": "authorization_code",
                },
                timeout=self.timeout,
            )
        except httpx.TimeoutException:
            log.warning("jscode2session timed out after %.1fs", self.timeout)
            raise ServiceUnavailable("wechat_unavailable") from None
        except httpx.HTTPError as exc:
            log.warning("jscode2session failed: %s", exc)
            raise ServiceUnavailable("wechat_unavailable") from None
        if response.status_code != 200:
            log.warning("jscode2session answered HTTP %s", response.status_code)
            raise ServiceUnavailable("wechat_unavailable")
        try:
            # WeChat sends JSON labelled text/plain, so parse the body whatever its type.
            body = response.json()
        except ValueError:
            log.warning("jscode2session answered a body that is not JSON")
            raise ServiceUnavailable("wechat_unavailable") from None
        errcode = int(body.get("errcode") or 0)
        if errcode:
            if errcode in _CODE_ERRORS:
                raise _CODE_ERRORS[errcode]()
            log.error("jscode2session errcode %s: %s", errcode, body.get("errmsg"))
            raise ServiceUnavailable("wechat_unavailable")
        openid = body.get("openid")
        if not isinstance(openid, str) or not openid or len(openid) > 64:
            log.error("jscode2session answered without a usable openid")
            raise ServiceUnavailable("wechat_unavailable")
        unionid = body.get("unionid")
        if not isinstance(unionid, str) or not unionid or len(unionid) > 64:
            unionid = None
        return WeChatIdentity(openid=openid, unionid=unionid)


_TOKEN_EXPIRED = {40001, 42001, 40014}


async def stable_token(client: WeChatClient, store: Store, *, force: bool = False) -> str:
    """The mini-program's access token from /cgi-bin/stable_token, cached in Redis so every
    process shares one (WeChat limits how often it may be fetched)."""
    key = store.key("wechat", "access_token")
    if not force:
        try:
            cached = await store.redis.get(key)
        except (RedisError, OSError) as exc:
            log.warning("access token cache unreadable, Redis failed: %s", exc)
            cached = None
        if cached:
            return str(cached)
    response = await client.http.post(
        client.api_base.rstrip("/") + "/cgi-bin/stable_token",
        json={
            "grant_type": "client_credential",
            "appid": client.appid,
            "secret": client.secret,
            "force_refresh": force,
        },
        timeout=client.timeout,
    )
    body = response.json()
    token = body.get("access_token")
    if response.status_code != 200 or not isinstance(token, str):
        raise ServiceUnavailable("wechat_unavailable")
    ttl = max(60, int(body.get("expires_in") or 7200) - 300)
    try:
        await store.redis.set(key, token, ex=ttl)
    except (RedisError, OSError) as exc:  # stable_token hands out the same token again
        log.warning("access token not cached, Redis failed: %s", exc)
    return token


async def msg_sec_check(
    client: WeChatClient, store: Store, *, openid: str, content: str, scene: int
) -> str:
    """WeChat's content-security verdict for a text: "pass", "review" or "risky".
    When WeChat cannot answer, the text passes (the local filter already did): a WeChat
    outage must not stop the community from writing."""
    if not client.appid or not client.secret or not content.strip():
        return "pass"
    try:
        for attempt in range(2):
            token = await stable_token(client, store, force=attempt > 0)
            response = await client.http.post(
                client.api_base.rstrip("/") + "/wxa/msg_sec_check",
                params={"access_token": token},
                json={"content": content, "version": 2, "scene": scene, "openid": openid},
                timeout=client.timeout,
            )
            body = response.json()
            errcode = int(body.get("errcode") or 0)
            if errcode in _TOKEN_EXPIRED and attempt == 0:
                continue
            if errcode:
                log.warning("msg_sec_check errcode %s: %s", errcode, body.get("errmsg"))
                return "pass"
            suggest = (body.get("result") or {}).get("suggest", "pass")
            return suggest if suggest in ("pass", "review", "risky") else "pass"
    except (httpx.HTTPError, ValueError, ServiceUnavailable) as exc:
        log.warning("msg_sec_check unavailable: %s", exc)
    return "pass"
