"""Staff sign-in to the console from a browser: the mini-program side (who asks, approve).
The browser's side (the QR code's nonce, polling, the session) is the console's own."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.relay import OkPayload
from domain import console_login


@strawberry.type(description="A browser asking to sign in to the console.")
class ConsoleLoginRequest:
    nonce: str
    ip: str
    user_agent: str
    created_at: datetime
    expires_at: datetime


@strawberry.type
class ConsoleLoginQuery:
    @strawberry.field(
        description="Which browser asks to sign in with this QR code (staff, before approving); "
        "NOT_FOUND once expired or used."
    )
    async def console_login_request(
        self, info: Info[Context, None], nonce: str
    ) -> ConsoleLoginRequest:
        viewer = await info.context.require_viewer()
        found = await console_login.get_login_request(viewer, info.context.runtime.store, nonce)
        return ConsoleLoginRequest(
            nonce=found.nonce,
            ip=found.ip,
            user_agent=found.user_agent,
            created_at=found.created_at,
            expires_at=found.expires_at,
        )


@strawberry.type
class ConsoleLoginMutation:
    @strawberry.mutation(description="Sign the waiting browser in to the console as yourself.")
    async def approve_console_login(self, info: Info[Context, None], nonce: str) -> OkPayload:
        viewer = await info.context.require_viewer()
        await console_login.approve_login(viewer, info.context.runtime.store, nonce)
        return OkPayload(ok=True)
