"""Staff sign-in to the console by QR code, from the mini-program's side: who asks, approve."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain import console_login
from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


async def test_a_staff_member_sees_which_browser_asks_and_signs_it_in_as_themselves(
    api: Api, runtime: Runtime
) -> None:
    moderator = await make_user(role=Role.MODERATOR)
    token = token_for(runtime, moderator)
    request = await console_login.request_login(runtime.store, "203.0.113.7", "Chrome/130 Mac")

    shown = await api.op("ConsoleLoginRequest", {"nonce": request.nonce}, token=token)
    asked = shown["data"]["consoleLoginRequest"]
    assert (asked["nonce"], asked["ip"], asked["userAgent"]) == (
        request.nonce,
        "203.0.113.7",
        "Chrome/130 Mac",
    )
    valid = datetime.fromisoformat(asked["expiresAt"]) - datetime.fromisoformat(asked["createdAt"])
    assert valid == timedelta(minutes=2)
    assert await console_login.redeem_login(runtime.store, request.nonce) is None  # not yet

    approved = await api.op("ApproveConsoleLogin", {"nonce": request.nonce}, token=token)
    assert approved["data"]["approveConsoleLogin"] == {"ok": True}
    again = await api.op("ApproveConsoleLogin", {"nonce": request.nonce}, token=token)
    assert again["data"]["approveConsoleLogin"] == {"ok": True}
    other = token_for(runtime, await make_user(role=Role.OPERATOR))
    taken = await api.op("ApproveConsoleLogin", {"nonce": request.nonce}, token=other)
    assert error_codes(taken) == ["CONFLICT"]

    signed_in = await console_login.redeem_login(runtime.store, request.nonce)
    assert signed_in is not None and signed_in.id == moderator.id
    for name in ("ConsoleLoginRequest", "ApproveConsoleLogin"):
        used = await api.op(name, {"nonce": request.nonce}, token=token, lang="en")
        assert error_codes(used) == ["NOT_FOUND"], name
        assert "expired or was used" in used["errors"][0]["message"]
    unknown = await api.op("ConsoleLoginRequest", {"nonce": "x" * 500}, token=token)
    assert error_codes(unknown) == ["NOT_FOUND"]
