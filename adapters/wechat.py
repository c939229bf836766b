"""The one WeChat client: jscode2session (sign-in), stable_token (the access token, cached in
Redis for every process), msg_sec_check (content security) and subscribe/send (subscribe
messages). It fills the domain's CodeExchanger, ContentChecker and SubscribeMessageSender."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from redis.exceptions import RedisError

from adapters.flights import Flights
from adapters.redis import Store
from domain.errors import BadInput, Forbidden, QuanziError, RateLimited, ServiceUnavailable
from domain.ports import Scene, SendResult, Suggestion, WeChatIdentity

log = logging.getLogger("quanzi.wechat")
# Access-token fetches under way in this process (WeChatClient.access_token).
_fetches: Flights[str] = Flights()

# jscode2session error codes that the member can do something about; anything else is ours or
# theirs.
_CODE_ERRORS = {
    40029: lambda: BadInput("wechat_code_invalid", field="code"),
    40163: lambda: BadInput("wechat_code_used", field="code"),
    45011: lambda: RateLimited("wechat_rate_limited"),
    40226: lambda: Forbidden("wechat_user_blocked"),
}
# WeChat's documented answers for an access token that is invalid (40001), expired (42001) or
# not this app's (40014): the one notion of "fetch a new token and try once more".
TOKEN_EXPIRED = frozenset({40001, 42001, 40014})
BUSY = -1  # WeChat's "system busy, try again"


class _Unavailable(Exception):
    """WeChat could not be reached or answered something that is not its JSON."""


@dataclass(frozen=True)
class WeChatClient:
    http: httpx.AsyncClient
    store: Store  # where the shared access token is cached
    api_base: str
    appid: str | None
    secret: str | None
    timeout: float = 5.0

    @property
    def configured(self) -> bool:
        return bool(self.appid and self.secret)

    def _url(self, path: str) -> str:
        return self.api_base.rstrip("/") + path

    async def code_to_session(self, code: str) -> WeChatIdentity:
        """Exchange a wx.login() code; raise a QuanziError the client can act on when it fails."""
        if not self.configured:
            log.error("WECHAT_APPID / WECHAT_SECRET are not set; WeChat sign-in is unavailable")
            raise ServiceUnavailable("wechat_unavailable")
        params = {
            "appid": self.appid or "",
            "secret": self.secret or "",
            "js_code": code,
            "grant_type": "authorization_code",
        }
        try:
            status, body = await self._request("GET", "/sns/jscode2session", params=params)
        except _Unavailable as exc:
            log.warning("jscode2session failed: %s", exc)
            raise ServiceUnavailable("wechat_unavailable") from None
        if status != 200:
            log.warning("jscode2session answered HTTP %s", status)
            raise ServiceUnavailable("wechat_unavailable")
        errcode = _errcode(body)
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

    async def access_token(self, *, rejected: str | None = None) -> str:
        """The mini-program's access token from /cgi-bin/stable_token, cached in Redis so every
        process shares one (WeChat limits how often it may be fetched). `rejected` is a token
        WeChat just refused: unless another process already replaced it in the cache, a new
        one is forced. Redis failing only costs a fetch."""
        key = self.store.key("wechat", "access_token")
        try:
            cached = await self.store.redis.get(key)
        except (RedisError, OSError) as exc:
            log.warning("access token cache unreadable, Redis failed: %s", exc)
            cached = None
        if cached and cached != rejected:
            return str(cached)
        # One fetch in this process for every call that found no token (or this one refused):
        # a burst of content checks would otherwise fetch one each, and a forced refresh is
        # one of the few WeChat allows a day.
        fetch = partial(self._fetch_token, key, rejected)
        return await _fetches.once(f"{key}:{rejected or ''}", fetch)

    async def _fetch_token(self, key: str, rejected: str | None) -> str:
        payload = {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret,
            "force_refresh": rejected is not None,
        }
        try:
            status, body = await self._request("POST", "/cgi-bin/stable_token", json=payload)
        except _Unavailable as exc:
            log.warning("stable_token failed: %s", exc)
            raise ServiceUnavailable("wechat_unavailable") from None
        token = body.get("access_token")
        if status != 200 or not isinstance(token, str) or not token:
            log.error("stable_token errcode %s: %s", _errcode(body), body.get("errmsg"))
            raise ServiceUnavailable("wechat_unavailable")
        ttl = max(60, int(body.get("expires_in") or 7200) - 300)
        try:
            await self.store.redis.set(key, token, ex=ttl)
        except (RedisError, OSError) as exc:  # stable_token hands out the same token again
            log.warning("access token not cached, Redis failed: %s", exc)
        return token

    async def check_text(self, *, openid: str, content: str, scene: Scene) -> Suggestion:
        """WeChat's content-security verdict (msg_sec_check version 2). When WeChat cannot
        answer the text passes (the local filter already did)."""
        if not self.configured or not content.strip():
            return Suggestion.PASS
        payload = {"content": content, "version": 2, "scene": int(scene), "openid": openid}
        try:
            status, body = await self._with_token("/wxa/msg_sec_check", payload)
        except (_Unavailable, QuanziError) as exc:
            log.warning("msg_sec_check unavailable: %s", exc)
            return Suggestion.PASS
        errcode = _errcode(body)
        if status != 200 or errcode:
            log.warning("msg_sec_check HTTP %s errcode %s: %s", status, errcode, body.get("errmsg"))
            return Suggestion.PASS
        result = body.get("result")
        try:
            return Suggestion(str(result.get("suggest") if isinstance(result, dict) else None))
        except ValueError:
            return Suggestion.PASS

    async def send_subscribe_message(
        self, *, openid: str, template_id: str, page: str, data: dict[str, str]
    ) -> SendResult:
        """POST subscribe/send. Outages and WeChat's "busy" ask for a retry; refusals (43101
        the member withdrew consent, 47003 bad data, …) will not get better."""
        payload = {
            "touser": openid,
            "template_id": template_id,
            "page": page,
            "data": {name: {"value": value} for name, value in data.items()},
            "miniprogram_state": "formal",
            "lang": "zh_CN",
        }
        try:
            status, body = await self._with_token("/cgi-bin/message/subscribe/send", payload)
        except (_Unavailable, QuanziError) as exc:
            log.warning("subscribe/send unavailable: %s", exc)
            return SendResult(False, retry=True)
        if status >= 500:
            return SendResult(False, retry=True)
        errcode = _errcode(body)
        if status == 200 and errcode == 0:
            return SendResult(True, retry=False)
        log.warning("subscribe/send HTTP %s errcode %s: %s", status, errcode, body.get("errmsg"))
        return SendResult(False, retry=errcode == BUSY)

    async def _with_token(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST to an API that takes the access token; when WeChat says the token is invalid or
        expired, fetch a new one and try once more."""
        token = await self.access_token()
        status, body = await self._request("POST", path, json=payload, token=token)
        if _errcode(body) in TOKEN_EXPIRED:
            log.info("access token refused (errcode %s), fetching a new one", _errcode(body))
            token = await self.access_token(rejected=token)
            status, body = await self._request("POST", path, json=payload, token=token)
        return status, body

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        query = dict(params or {})
        if token is not None:
            query["access_token"] = token
        try:
            response = await self.http.request(
                method, self._url(path), params=query, json=json, timeout=self.timeout
            )
        except httpx.TimeoutException:
            raise _Unavailable(f"{path} timed out after {self.timeout:.1f}s") from None
        except httpx.HTTPError as exc:
            raise _Unavailable(f"{path}: {exc}") from None
        if response.status_code >= 500:
            return response.status_code, {}
        try:
            # WeChat sends JSON labelled text/plain, so parse the body whatever its type.
            body = response.json()
        except ValueError:
            raise _Unavailable(f"{path} answered a body that is not JSON") from None
        if not isinstance(body, dict):
            raise _Unavailable(f"{path} answered JSON that is not an object")
        return response.status_code, body


def _errcode(body: dict[str, Any]) -> int:
    try:
        return int(body.get("errcode") or 0)
    except (TypeError, ValueError):
        return 0
