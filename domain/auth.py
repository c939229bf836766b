"""Sign-in and sessions: WeChat or dev sign-in, refresh-token rotation, access-token checks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain.errors import BadInput, ContentRejected, Forbidden, Unauthenticated
from domain.models import RefreshToken, User
from domain.ports import CodeExchanger, Scene
from domain.screening import Screening, screen_texts
from domain.tokens import AccessClaims, TokenIssuer, hash_refresh_token
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
    async with in_transaction() as conn:
        # The row lock makes two concurrent refreshes with one token take turns: the second
        # sees the first's rotation and counts as reuse.
        row = await RefreshToken.filter(token_hash=token_hash).select_for_update().first()
        if row is None or row.expires_at <= now:
            raise Unauthenticated("refresh_invalid")
        if (
            row.used_at is not None
            or row.revoked_at is not None
            or not await _holds(row.user_id, row.family, conn)  # type: ignore[attr-defined]
        ):
            reused_family = row.family
        else:
            row.used_at = now
            await row.save(update_fields=["used_at"])
            user = await _member_shared(row.user_id, conn)  # type: ignore[attr-defined]
            check_not_banned(user, now)
            family = row.family
            new_refresh = await _issue_refresh(tokens, user.id, family, now)
    if reused_family is not None:
        await revoke_family(reused_family)
        raise Unauthenticated("refresh_invalid")
    access_token, expires_at = tokens.issue_access(user.id, session=family, now=now)
    return Session(user, access_token, new_refresh, expires_at, False)


async def _member_shared(user_id: int, conn: BaseDBAsyncClient) -> User:
    """The member's row, shared until the refresh commits: a ban, which updates the row,
    then waits for the new token to be in, and revokes it with the others
    (revoke_all_sessions); a ban under way makes the refresh wait, then see it."""
    rows = await sql.fetch_records(
        f"SELECT {sql.columns(User)} FROM users WHERE id = $1 FOR SHARE", user_id, conn=conn
    )
    if not rows:
        raise Unauthenticated("refresh_invalid")
    return sql.build(User, rows[0])


async def revoke_family(family: uuid.UUID) -> int:
    """Revoke a sign-in (one of its refresh tokens was used twice)."""
    return await _revoke("family = $1", family)


async def revoke_all_sessions(user_id: int) -> int:
    """Sign the member out everywhere (used when a member is banned)."""
    return await _revoke("user_id = $1", user_id)


async def _holds(user_id: int, family: uuid.UUID, conn: BaseDBAsyncClient) -> bool:
    """Whether the sign-in holds (_sign_in_holds): a refresh of a token that escaped its
    sign-in's revocation is refused as a reuse (see _revoke)."""
    rows = await sql.fetch(
        f"SELECT {_sign_in_holds('$1', '$2')} AS holds", user_id, family, conn=conn
    )
    return bool(rows[0]["holds"])


async def _revoke(which: str, key: Any) -> int:
    """Revoke the live refresh tokens `which` selects (a condition on the parameter $1): locked
    in id order by one statement, then revoked by another, so that a sign-in's revocation
    and its member's (a reused token and a ban at once) take turns rather than deadlock.

    Again until none is left: a refresh under way holds the token it uses, and the lock
    waits for it, but the token it adds came after the statement began and is not among
    those it locks; the next statement sees it. (A revoked sign-in's tokens are forgotten
    some day, forget_expired_sign_ins: one that escaped would then make it hold again.)"""
    revoked = 0
    async with in_transaction() as conn:
        while ids := await sql.lock_where(
            "refresh_tokens", f"{which} AND revoked_at IS NULL", key, conn=conn
        ):
            await sql.execute(
                "UPDATE refresh_tokens SET revoked_at = $2 WHERE id = ANY($1::bigint[])",
                ids,
                datetime.now(UTC),
                conn=conn,
            )
            revoked += len(ids)
    return revoked


# How many expired refresh tokens a statement of forget_expired_sign_ins deletes.
FORGET_BATCH = 5_000


async def forget_expired_sign_ins(tokens: TokenIssuer, now: datetime | None = None) -> int:
    """Delete the refresh tokens that expired longer ago than an access token lives; how many.

    Every refresh adds a token to its sign-in's chain, so a member who stays signed in adds
    one every few hours for as long as they stay. A token that expired can no longer be
    refreshed (refresh_session answers as it would for a deleted one), and once it expired
    longer ago than an access token lives, no access token of its sign-in issued with it or
    before it is still valid. A revoked sign-in's newest token (revoked with the rest) is
    the last to go, so until then the sign-in still reads as revoked (_sign_in_holds) for
    as long as any of its access tokens could be shown (_revoke also revokes what a refresh
    adds meanwhile, and a refresh in a revoked sign-in is refused). Batches locked in id
    order and skipping rows a refresh holds, so that neither waits for the other."""
    cutoff = (now or datetime.now(UTC)) - tokens.access_ttl
    forgotten = 0
    while True:
        rows = await sql.fetch(
            "DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM refresh_tokens"
            " WHERE expires_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id",
            cutoff,
            FORGET_BATCH,
        )
        forgotten += len(rows)
        if len(rows) < FORGET_BATCH:
            return forgotten


async def authenticate(
    tokens: TokenIssuer, access_token: str, *, claims: AccessClaims | None = None
) -> User:
    """The member an access token belongs to; Unauthenticated when it is bad, expired or stale,
    or when its sign-in was revoked (a reused refresh token, a ban): the same single query
    reads the member and checks the sign-in, so a revoked session ends at once, not when its
    access token expires. (`claims`: the token's, verified already by sign_in_to_confirm.)"""
    claims = claims or tokens.verify_access(access_token)
    if claims.session is None:  # tokens issued before sign-ins were bound into them
        found = await sql.models_by_ids(User, [claims.user_id])
    else:
        rows = await sql.fetch_records(_live_session(), claims.user_id, claims.session)
        found = [sql.build(User, row) for row in rows]
        if rows:
            _remember(claims, rows[0])
        else:
            _signed_in.pop((claims.user_id, claims.session), None)
            gone = await User.get_or_none(id=claims.user_id)
            if gone is not None:
                check_not_banned(gone)  # a ban revokes every sign-in: say it is a ban
                raise Unauthenticated("session_revoked")
    user = found[0] if found else None
    if user is None:
        raise Unauthenticated("token_invalid")
    check_not_banned(user)
    return user


def _sign_in_holds(user: str, family: str) -> str:
    """SQL: the sign-in `family` of member `user` (parameters) holds: none of its refresh
    tokens was revoked (a reused refresh token, a ban)."""
    return (
        "NOT EXISTS (SELECT 1 FROM refresh_tokens r"
        f" WHERE r.family = {family} AND r.user_id = {user} AND r.revoked_at IS NOT NULL)"
    )


@cache
def _live_session() -> str:
    """The member of a sign-in that holds, with their row's version (SignInCheck)."""
    return (
        f"SELECT {sql.columns(User)}, xmin AS _version FROM users"
        f" WHERE id = $1 AND {_sign_in_holds('$1', '$2')}"
    )


# ---------------------------------------------------------------- sign-ins confirmed by a page
#
# A signed-in request runs the statement above before anything else: on a feed page answered
# from a kept answer (api/kept_answers.py) it was one of two statements and a quarter of the
# worker's CPU (bench/README.md, run 21). That page reads its own statement anyway, so the
# sign-in may be confirmed there instead, by two more columns: the member's row version
# (`xmin`, a new one with every update of the row) and whether the sign-in still holds. Where
# the version is that of the row this process last read for the sign-in, the row is that row,
# so the member is who they were then (their role, their ban, their name); where the sign-in
# was revoked since, or the member's row changed, or the page read no row, the statement
# above runs as before. The token itself is verified on every request (signature, expiry).

SIGN_INS_MAX = 10_000
# How long a sign-in checked with the statement above may be confirmed by a page's columns.
# `xmin` is a 32-bit transaction id: within minutes, no later update of the member's row has
# the version of the one kept (it would take billions of transactions, or the database
# restored from elsewhere under running workers), and each member's sign-in is checked with
# its own statement once in that time.
SIGN_IN_KEPT_SECONDS = 300.0

# (member id, sign-in) -> (the member's row as last read, its version, when it was read: a
# time.monotonic()): the sign-ins this process checked with the statement above, each
# replaced when checked again.
_signed_in: dict[tuple[int, uuid.UUID], tuple[dict[str, Any], int, float]] = {}


def _remember(claims: AccessClaims, row: Mapping[str, Any]) -> None:
    if claims.session is None:
        return
    if len(_signed_in) >= SIGN_INS_MAX:
        _signed_in.clear()
    read_at = time.monotonic()
    _signed_in[(claims.user_id, claims.session)] = (dict(row), row["_version"], read_at)


def forget_sign_ins() -> None:
    """Forget the sign-ins checked (tests; every request then checks its own)."""
    _signed_in.clear()


@dataclass(slots=True)
class SignInCheck:
    """A verified access token whose sign-in this process has checked before, to be confirmed
    by a statement the request runs anyway (`read_confirming`), with the member as read then."""

    claims: AccessClaims
    row: dict[str, Any]
    version: int
    confirmed: bool = False
    _member: User | None = None

    def member(self) -> User:
        """The member as read when the sign-in was last checked: a model of its own for each
        request, which nothing another request does can change."""
        if self._member is None:
            self._member = sql.build(User, self.row)
        return self._member

    def note(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Read the confirming columns of a statement's rows (`read_confirming`)."""
        if rows:
            row = rows[0]
            self.confirmed = row["_signin_version"] == self.version and row["_signin_live"] is True


def sign_in_to_confirm(tokens: TokenIssuer, access_token: str) -> SignInCheck | AccessClaims:
    """The token's claims (Unauthenticated when it is bad or expired), as a SignInCheck where
    this process has checked its sign-in in the last SIGN_IN_KEPT_SECONDS."""
    claims = tokens.verify_access(access_token)
    if claims.session is None:
        return claims
    checked = _signed_in.get((claims.user_id, claims.session))
    if checked is None or time.monotonic() - checked[2] > SIGN_IN_KEPT_SECONDS:
        return claims
    return SignInCheck(claims, checked[0], checked[1])


async def read_confirming(
    statement: str, values: list[Any], check: SignInCheck | None
) -> Sequence[Mapping[str, Any]]:
    """The rows of `statement` (a read's), in its order, read in a batch with the same
    statement's other readers of this moment (sql.fetch_batched: each row with its place,
    `_row`); with `check`, each with the columns that confirm it beside them, read into it
    (SignInCheck.note)."""
    if check is None:
        return await sql.fetch_batched(statement, *values)
    rows = await sql.fetch_batched(
        _confirming(statement, len(values)), *values, check.claims.user_id, check.claims.session
    )
    check.note(rows)
    return rows


# The feed's statements are a few hundred texts, each made once (domain.feeds, domain.reads):
# each is wrapped once too, and the same text hashes once for every cache it keys.
@lru_cache(maxsize=1024)
def _confirming(statement: str, values: int) -> str:
    """`statement` (of `values` parameters) with the columns that confirm a sign-in beside
    its rows: the member's row version and whether the sign-in holds, of the member and the
    sign-in given as the two parameters after its own."""
    user, family = f"${values + 1}", f"${values + 2}"
    return (
        f"SELECT s.*, (SELECT u.xmin FROM users u WHERE u.id = {user}) AS _signin_version,"
        f" {_sign_in_holds(user, family)} AS _signin_live FROM ({statement}) s"
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
