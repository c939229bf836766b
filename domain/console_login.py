"""Staff sign-in to the operator console from a desktop browser, which has no WeChat.

(1) QR code: the browser's login page asks for a one-time nonce (valid 2 minutes, kept in
Redis with the browser's IP and user agent) and shows it as a mini-program page path
(`scene=<nonce>`). A staff member scans it in the mini-program, sees which browser asks, and
approves with their own sign-in; the page, polling, redeems the approved nonce once and is
signed in as that staff member.
(2) Link: `quanzi console-link --openid O` makes a one-time token (valid 10 minutes) for a
staff member; opening its URL asks to confirm, and confirming (a POST) redeems it once — a
chat app fetching the link for its preview does not spend it.

Both redeem only for someone who may use the console then (a member demoted or banned since
is refused)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.redis import Store
from domain import access
from domain.auth import check_not_banned
from domain.errors import Conflict, Forbidden, NotFound
from domain.models import User

NONCE_TTL = timedelta(minutes=2)
LINK_TTL = timedelta(minutes=10)
_TOKEN_MAX = 64  # what a client may send as a nonce or token before it is not even looked up
_USER_AGENT_MAX = 300

# Approve once: -1 no such request, 0 approved by someone else already, 1 approved.
_APPROVE = """
if redis.call('exists', KEYS[1]) == 0 then return -1 end
local by = redis.call('hget', KEYS[1], 'approved_by')
if by and by ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'approved_by', ARGV[1])
return 1
"""
# Redeem once: -1 no such request (expired or used), 0 not approved yet, else the approver.
_REDEEM = """
if redis.call('exists', KEYS[1]) == 0 then return -1 end
local by = redis.call('hget', KEYS[1], 'approved_by')
if not by then return 0 end
redis.call('del', KEYS[1])
return tonumber(by)
"""


@dataclass(frozen=True)
class LoginRequest:
    nonce: str
    ip: str
    user_agent: str
    created_at: datetime
    expires_at: datetime


def _request_key(store: Store, nonce: str) -> str:
    return store.key("console_login", nonce)


def _link_key(store: Store, token: str) -> str:
    return store.key("console_link", token)


def _usable(token: str) -> bool:
    return 0 < len(token) <= _TOKEN_MAX and token.isascii()


async def request_login(store: Store, ip: str, user_agent: str) -> LoginRequest:
    """A browser asks to sign in: a fresh nonce for its QR code, valid NONCE_TTL."""
    nonce = secrets.token_urlsafe(16)  # 22 characters a mini-program `scene` may carry
    now = datetime.now(UTC)
    key = _request_key(store, nonce)
    async with store.redis.pipeline(transaction=True) as pipe:
        pipe.hset(
            key,
            mapping={
                "ip": ip,
                "user_agent": user_agent[:_USER_AGENT_MAX],
                "created_at": now.isoformat(),
            },
        )
        pipe.pexpire(key, NONCE_TTL)
        await pipe.execute()
    return LoginRequest(nonce, ip, user_agent[:_USER_AGENT_MAX], now, now + NONCE_TTL)


async def get_login_request(actor: User, store: Store, nonce: str) -> LoginRequest:
    """Which browser asks, for a staff member about to approve it; NOT_FOUND once it expired
    or was used."""
    if not access.can_use_console(actor):
        raise Forbidden()
    found = await store.redis.hgetall(_request_key(store, nonce)) if _usable(nonce) else {}
    fields = {str(k): str(v) for k, v in found.items()}
    if not fields:
        raise NotFound("console_login_not_found", field="nonce")
    created_at = datetime.fromisoformat(fields["created_at"])
    return LoginRequest(
        nonce, fields["ip"], fields["user_agent"], created_at, created_at + NONCE_TTL
    )


async def approve_login(actor: User, store: Store, nonce: str) -> None:
    """A staff member signs the waiting browser in as themselves (again: no change);
    CONFLICT when another staff member approved it first."""
    if not access.can_use_console(actor):
        raise Forbidden()
    if not _usable(nonce):
        raise NotFound("console_login_not_found", field="nonce")
    script = store.redis.register_script(_APPROVE)
    outcome = int(await script(keys=[_request_key(store, nonce)], args=[str(actor.id)]))
    if outcome == -1:
        raise NotFound("console_login_not_found", field="nonce")
    if outcome == 0:
        raise Conflict("console_login_taken", field="nonce")


async def redeem_login(store: Store, nonce: str) -> User | None:
    """The browser's poll: the approving staff member, once; None while nobody approved yet;
    NOT_FOUND when the nonce expired or was used."""
    if not _usable(nonce):
        raise NotFound("console_login_not_found", field="nonce")
    script = store.redis.register_script(_REDEEM)
    outcome = int(await script(keys=[_request_key(store, nonce)]))
    if outcome == -1:
        raise NotFound("console_login_not_found", field="nonce")
    if outcome == 0:
        return None
    return await _staff(outcome)


async def create_login_link(store: Store, user: User) -> str:
    """A one-time sign-in token for a staff member, valid LINK_TTL (bootstrap and tests)."""
    if not access.can_use_console(user):
        raise Forbidden()
    token = secrets.token_urlsafe(24)
    await store.redis.set(_link_key(store, token), str(user.id), px=LINK_TTL)
    return token


async def login_link_holder(store: Store, token: str) -> User:
    """Whom a link token signs in, without spending it (the confirmation page); NOT_FOUND
    when expired or used, FORBIDDEN for someone no longer staff."""
    return await _link_user(store, token, spend=False)


async def redeem_login_link(store: Store, token: str) -> User:
    """The staff member a link token was made for, once; NOT_FOUND when expired or used."""
    return await _link_user(store, token, spend=True)


async def _link_user(store: Store, token: str, *, spend: bool) -> User:
    user_id = None
    if _usable(token):
        async with store.redis.pipeline(transaction=True) as pipe:
            pipe.get(_link_key(store, token))
            if spend:
                pipe.delete(_link_key(store, token))
            user_id = (await pipe.execute())[0]
    if user_id is None:
        raise NotFound("console_link_not_found", field="token")
    return await _staff(int(user_id))


async def _staff(user_id: int) -> User:
    """The member, still staff and not banned now."""
    user = await User.get_or_none(id=user_id)
    if user is None or not access.can_use_console(user):
        raise Forbidden()
    check_not_banned(user)
    return user
