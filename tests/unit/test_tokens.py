"""Access and refresh tokens, without any IO."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import Unauthenticated
from domain.tokens import TokenIssuer, hash_refresh_token

ISSUER = TokenIssuer("s" * 48, timedelta(hours=2), timedelta(days=30))


def test_an_access_token_names_its_member_until_it_expires() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    token, expires_at = ISSUER.issue_access(7, now=now)
    assert expires_at == now + timedelta(hours=2)
    assert ISSUER.verify_access(token, now=now + timedelta(minutes=119)).user_id == 7
    with pytest.raises(Unauthenticated) as info:
        ISSUER.verify_access(token, now=now + timedelta(hours=2))
    assert info.value.message_key == "token_expired"


def _forge(payload: dict, header: dict) -> str:
    def enc(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    return f"{enc(header)}.{enc(payload)}."


def test_an_unsigned_alg_none_token_is_rejected() -> None:
    far = int((datetime.now(UTC) + timedelta(days=1)).timestamp())
    forged = _forge({"sub": "1", "iat": 0, "exp": far, "typ": "access"}, {"alg": "none"})
    with pytest.raises(Unauthenticated) as info:
        ISSUER.verify_access(forged)
    assert info.value.message_key == "token_invalid"


def test_changing_the_member_breaks_the_signature() -> None:
    token, _ = ISSUER.issue_access(1)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "2"
    swapped = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthenticated):
        ISSUER.verify_access(f"{header}.{swapped}.{signature}")


def test_a_token_checked_before_vouches_for_no_other_signature() -> None:
    token, _ = ISSUER.issue_access(1)
    assert ISSUER.verify_access(token).user_id == 1  # checked, and remembered
    header, payload, signature = token.split(".")
    flipped = signature[:-1] + ("B" if signature.endswith("A") else "A")
    for other in (f"{header}.{payload}.{flipped}", f"{header}.{payload}."):
        with pytest.raises(Unauthenticated):
            ISSUER.verify_access(other)
    elsewhere = TokenIssuer("o" * 48, timedelta(hours=2), timedelta(days=30))
    theirs, _ = elsewhere.issue_access(1)
    assert elsewhere.verify_access(theirs).user_id == 1
    with pytest.raises(Unauthenticated):
        ISSUER.verify_access(theirs)


def test_refresh_tokens_are_long_and_never_repeat() -> None:
    tokens = {ISSUER.new_refresh_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert min(len(t) for t in tokens) >= 40


def _signed(payload: dict, secret: str = "s" * 48) -> str:
    """A token signed the HS256 way, for claims the issuer would never write."""

    def enc(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signing_input = f"{header}.{enc(json.dumps(payload).encode())}"
    digest = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{enc(digest)}"


def test_a_well_signed_token_of_another_kind_is_not_an_access_token() -> None:
    far = int((datetime.now(UTC) + timedelta(days=1)).timestamp())
    claims = {"sub": "1", "iat": 0, "exp": far}
    assert ISSUER.verify_access(_signed({**claims, "typ": "access"})).user_id == 1
    for other in ({**claims, "typ": "refresh"}, claims, {**claims, "typ": "access", "sub": "x"}):
        with pytest.raises(Unauthenticated) as info:
            ISSUER.verify_access(_signed(other))
        assert info.value.message_key == "token_invalid"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    other = TokenIssuer("o" * 48, timedelta(hours=2), timedelta(days=30))
    token, _ = other.issue_access(1)
    with pytest.raises(Unauthenticated):
        ISSUER.verify_access(token)


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "x" * 3000, "a." * 1024 + "b"])
def test_a_token_of_the_wrong_shape_or_size_is_invalid(token: str) -> None:
    with pytest.raises(Unauthenticated) as info:
        ISSUER.verify_access(token)
    assert info.value.message_key == "token_invalid"


def test_the_expiry_is_reported_to_the_second() -> None:
    now = datetime(2026, 1, 1, 8, 0, 0, 999_999, tzinfo=UTC)
    token, expires_at = ISSUER.issue_access(3, now=now)
    assert expires_at == datetime(2026, 1, 1, 10, 0, 0, tzinfo=UTC)
    claims = ISSUER.verify_access(token, now=now)
    assert claims.expires_at == expires_at
    assert claims.issued_at == now.replace(microsecond=0)


def test_refresh_tokens_are_stored_as_a_stable_digest() -> None:
    token = ISSUER.new_refresh_token()
    digest = hash_refresh_token(token)
    assert digest == hash_refresh_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token not in digest
    assert hash_refresh_token(ISSUER.new_refresh_token()) != digest


def test_an_access_token_names_the_sign_in_it_was_issued_to() -> None:
    family = uuid.uuid4()
    token, _ = ISSUER.issue_access(5, session=family)
    assert ISSUER.verify_access(token).session == family
    assert ISSUER.verify_access(ISSUER.issue_access(5)[0]).session is None


def test_a_token_with_a_malformed_sign_in_is_invalid() -> None:
    far = int((datetime.now(UTC) + timedelta(days=1)).timestamp())
    for sid in ("not-a-uuid", 7, ["x"]):
        token = _signed({"sub": "1", "iat": 0, "exp": far, "typ": "access", "sid": sid})
        with pytest.raises(Unauthenticated) as info:
            ISSUER.verify_access(token)
        assert info.value.message_key == "token_invalid"
