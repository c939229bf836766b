"""Access tokens, without any IO."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import Unauthenticated
from domain.levels import level_for_points
from domain.tokens import TokenIssuer
from tests.factories import RULES

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


def test_refresh_tokens_are_long_and_never_repeat() -> None:
    tokens = {ISSUER.new_refresh_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert min(len(t) for t in tokens) >= 40


@pytest.mark.parametrize(
    ("points", "level"),
    [(0, 1), (99, 1), (100, 2), (299, 2), (300, 3), (1000, 4), (3000, 5), (10000, 6), (10**9, 6)],
)
def test_levels_follow_the_point_thresholds(points: int, level: int) -> None:
    assert level_for_points(points, RULES.level_thresholds) == level
    assert RULES.level_for(points) == level
