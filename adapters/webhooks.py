"""Outgoing webhooks: the WeCom (企业微信) group robot that announces new alerts. It fills the
domain's AlertPusher.

The robot's protocol: POST the webhook URL (…/cgi-bin/webhook/send?key=KEY) with
`{"msgtype": "markdown", "markdown": {"content": "..."}}` (content at most 4096 bytes of
UTF-8); it answers `{"errcode": 0, "errmsg": "ok"}`, or another errcode when it refuses (93000
a bad key, 45009 over 20 messages a minute, -1 busy)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

log = logging.getLogger("quanzi.webhooks")

CONTENT_MAX_BYTES = 4096


def _clip(content: str) -> str:
    """At most CONTENT_MAX_BYTES of UTF-8, cut between characters."""
    data = content.encode("utf-8")
    if len(data) <= CONTENT_MAX_BYTES:
        return content
    return data[: CONTENT_MAX_BYTES - 3].decode("utf-8", errors="ignore") + "…"


@dataclass(frozen=True)
class WeComRobot:
    http: httpx.AsyncClient
    url: str
    timeout: float = 5.0

    async def push_markdown(self, content: str) -> bool:
        payload = {"msgtype": "markdown", "markdown": {"content": _clip(content)}}
        try:
            response = await self.http.post(self.url, json=payload, timeout=self.timeout)
        except httpx.HTTPError as exc:
            log.warning("alert webhook unreachable: %s", exc.__class__.__name__)
            return False
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            log.warning("alert webhook answered HTTP %s without JSON", response.status_code)
            return False
        errcode = body.get("errcode")
        if response.status_code != 200 or errcode != 0:
            log.warning(
                "alert webhook refused: HTTP %s errcode %s: %s",
                response.status_code,
                errcode,
                body.get("errmsg"),
            )
            return False
        return True
