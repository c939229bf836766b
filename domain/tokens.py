"""Signed access tokens (JWT, HS256) and opaque refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from domain.errors import Unauthenticated

_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    issued_at: datetime
    expires_at: datetime
    session: uuid.UUID | None = None  # the sign-in (refresh-token family) it was issued to


@dataclass(frozen=True)
class TokenIssuer:
    """Signs and checks access tokens; makes refresh tokens. One per process, from settings."""

    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta

    def issue_access(
        self, user_id: int, *, session: uuid.UUID | None = None, now: datetime | None = None
    ) -> tuple[str, datetime]:
        """An access token; bound to its sign-in (`sid`) so that revoking the sign-in ends it."""
        now = now or datetime.now(UTC)
        expires_at = now + self.access_ttl
        payload = {
            "sub": str(user_id),
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "typ": "access",
        }
        if session is not None:
            payload["sid"] = str(session)
        signing_input = (
            _b64encode(json.dumps(_HEADER, separators=(",", ":")).encode())
            + "."
            + _b64encode(json.dumps(payload, separators=(",", ":")).encode())
        )
        return f"{signing_input}.{self._sign(signing_input)}", expires_at.replace(microsecond=0)

    def verify_access(self, token: str, *, now: datetime | None = None) -> AccessClaims:
        """Return the claims of a valid token; raise Unauthenticated otherwise."""
        claims = _signed_claims(self, token)
        if claims.expires_at <= (now or datetime.now(UTC)):
            raise Unauthenticated("token_expired")
        return claims

    def _check_signed(self, token: str) -> AccessClaims:
        """The claims of a token signed with this secret (expired or not)."""
        parts = token.split(".")
        # A token is ASCII: anything else (a header's Latin-1 bytes) cannot be one, and would
        # fail the comparison below as a TypeError rather than as a bad token.
        if len(parts) != 3 or len(token) > 2048 or not token.isascii():
            raise Unauthenticated("token_invalid")
        signing_input = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(parts[2], self._sign(signing_input)):
            raise Unauthenticated("token_invalid")
        try:
            header = json.loads(_b64decode(parts[0]))
            payload: dict[str, Any] = json.loads(_b64decode(parts[1]))
            if header.get("alg") != "HS256" or payload.get("typ") != "access":
                raise ValueError("wrong kind of token")
            user_id = int(payload["sub"])
            issued_at = datetime.fromtimestamp(int(payload["iat"]), UTC)
            expires_at = datetime.fromtimestamp(int(payload["exp"]), UTC)
            sid = payload.get("sid")
            session = uuid.UUID(sid) if sid is not None else None
        except (ValueError, KeyError, TypeError, OverflowError, OSError, AttributeError):
            raise Unauthenticated("token_invalid") from None
        return AccessClaims(
            user_id=user_id, issued_at=issued_at, expires_at=expires_at, session=session
        )

    def new_refresh_token(self) -> str:
        return secrets.token_urlsafe(32)

    def _sign(self, signing_input: str) -> str:
        digest = hmac.new(self.secret.encode(), signing_input.encode("ascii"), hashlib.sha256)
        return _b64encode(digest.digest())


# Tokens whose signature was checked, and their claims (by issuer: its secret): a member's app
# sends the same token for as long as it lives, and a signature that held once holds again.
# Expiry does not: verify_access checks it every time. A refused token raises, and is not kept.
@lru_cache(maxsize=50_000)
def _signed_claims(issuer: TokenIssuer, token: str) -> AccessClaims:
    return issuer._check_signed(token)
