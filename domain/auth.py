"""Sign-in and sessions: WeChat or dev sign-in, refresh-token rotation, access-token checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from adapters import sql
from domain.errors import BadInput, ContentRejected, Forbidden, Unauthenticated
from domain.models import RefreshToken, User
from domain.ports import CodeExchanger, Scene
from domain.screening import Screening, screen_texts
from domain.tokens import TokenIssuer, hash_refresh_token
from domain.users import Attribution, find_or_create_member

CODE_MAX = 128


@dataclass(frozen=True)
class Session:
    user: User
    access_token: str
    refresh_token: str
    expires_at: datetime
    is_new_user: bool


def check_not_banned(user: User, now: datetime | None = None) -> None:
    if user.banned_until is not None and user.banned_until > (now or datetime.now(UTC)):
        raise Forbidden("account_banned")


async def sign_in_with_wechat(
    wechat: CodeExchanger,
    tokens: TokenIssuer,
    code: str,
    attribution: Attribution = Attribution(),
) -> Session:
    """Exchange a wx.login() code for a session; the member is created on first sign-in."""
    code = code.strip()
    if not 1 <= len(code) <= CODE_MAX:
        raise BadInput("wechat_code_invalid", field="code")
    identity = await wechat.code_to_session(code)
    user, created = await find_or_create_member(
        identity.openid, unionid=identity.unionid, attribution=attribution
    )
    return await start_session(tokens, user, is_new_user=created)


async def dev_sign_in(
    tokens: TokenIssuer, openid: str, nickname: str | None = None, *, screener: Screening
) -> Session:
    """Sign in as any openid without WeChat (development only; the API hides it otherwise).
    A nickname given here is screened as a profile's: refused when it would need review."""
    openid = openid.strip()
    if not 1 <= len(openid) <= 64:
        raise BadInput(field="openid")
    if nickname and nickname.strip():
        newcomer = User(openid=openid)  # not saved: who is asking, for WeChat's check
        texts = [("nickname", nickname.strip())]
        if (await screen_texts(screener, newcomer, texts, Scene.PROFILE)).needs_review:
            raise ContentRejected(field="nickname")
    user, created = await find_or_create_member(openid, nickname=nickname)
    return await start_session(tokens, user, is_new_user=created)


async def start_session(tokens: TokenIssuer, user: User, *, is_new_user: bool) -> Session:
    """Open a new refresh-token family for the member and hand out the first pair of tokens."""
    check_not_banned(user)
    now = datetime.now(UTC)
    await User.filter(id=user.id).update(last_login_at=now)
    family = uuid.uuid4()
    refresh_token = await _issue_refresh(tokens, user.id, family, now)
    access_token, expires_at = tokens.issue_access(user.id, session=family, now=now)
    return Session(user, access_token, refresh_token, expires_at, is_new_user)


async def refresh_session(tokens: TokenIssuer, refresh_token: str) -> Session:
    """Rotate a refresh token. A token used twice revokes its whole family (it was stolen)."""
    token_hash = hash_refresh_token(refresh_token.strip())
    now = datetime.now(UTC)
    reused_family: uuid.UUID | None = None
    async with in_transaction():
        # The row lock makes two concurrent refreshes with one token take turns: the second
        # sees the first's rotation and counts as reuse.
        row = await RefreshToken.filter(token_hash=token_hash).select_for_update().first()
        if row is None or row.expires_at <= now:
            raise Unauthenticated("refresh_invalid")
        if row.used_at is not None or row.revoked_at is not None:
            reused_family = row.family
        else:
            row.used_at = now
            await row.save(update_fields=["used_at"])
            user = await User.get(id=row.user_id)  # type: ignore[attr-defined]
            check_not_banned(user, now)
            family = row.family
            new_refresh = await _issue_refresh(tokens, user.id, family, now)
    if reused_family is not None:
        await revoke_family(reused_family)
        raise Unauthenticated("refresh_invalid")
    access_token, expires_at = tokens.issue_access(user.id, session=family, now=now)
    return Session(user, access_token, new_refresh, expires_at, False)


async def revoke_family(family: uuid.UUID) -> int:
    return await RefreshToken.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )


async def revoke_all_sessions(user_id: int) -> int:
    """Sign the member out everywhere (used when a member is banned)."""
    return await RefreshToken.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )


async def authenticate(tokens: TokenIssuer, access_token: str) -> User:
    """The member an access token belongs to; Unauthenticated when it is bad, expired or stale,
    or when its sign-in was revoked (a reused refresh token, a ban): the same single query
    reads the member and checks the sign-in, so a revoked session ends at once, not when its
    access token expires."""
    claims = tokens.verify_access(access_token)
    if claims.session is None:  # tokens issued before sign-ins were bound into them
        found = await sql.models_by_ids(User, [claims.user_id])
    else:
        found = await sql.select_models(User, _LIVE_SESSION, claims.user_id, claims.session)
        if not found:
            gone = await User.get_or_none(id=claims.user_id)
            if gone is not None:
                check_not_banned(gone)  # a ban revokes every sign-in: say it is a ban
                raise Unauthenticated("session_revoked")
    user = found[0] if found else None
    if user is None:
        raise Unauthenticated("token_invalid")
    check_not_banned(user)
    return user


_LIVE_SESSION = (
    "id = $1 AND NOT EXISTS (SELECT 1 FROM refresh_tokens r"
    " WHERE r.family = $2 AND r.user_id = $1 AND r.revoked_at IS NOT NULL)"
)


async def _issue_refresh(
    tokens: TokenIssuer, user_id: int, family: uuid.UUID, now: datetime
) -> str:
    token = tokens.new_refresh_token()
    await RefreshToken.create(
        user_id=user_id,
        family=family,
        token_hash=hash_refresh_token(token),
        expires_at=now + tokens.refresh_ttl,
    )
    return token
