"""WebSockets (graphql-transport-ws on /graphql): every operation speaks for the member the
socket's token names now, not at `connection_init`.

A socket signs in once, with `{"authorization": "Bearer …"}` (or `{"token": …}`) in
`connection_init`'s payload or, failing that, the upgrade request's `Authorization: Bearer`
header (what `wx.connectSocket({header})` sends). Before each operation, before each live
delivery, and every `ws_recheck_seconds` (or when the token expires, whichever is first) the
token and the member are checked again, as HTTP checks every request. A sign-in that does not
hold closes the socket with a reason the client branches on: 4401 `token_missing`,
`token_invalid`, `token_expired` (refresh, reconnect) or `session_revoked`; 4403
`account_banned`; 1013 `service_unavailable` (the database is down: retry). graphql-ws
gives up at once on 4401 and retries 4403 and 1013. A changed role applies to the next
operation. Errors have the HTTP shape (`extensions.code`, message in the language of the
socket's Accept-Language or the payload's `locale`, `retryAfter`); frames are text."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from api.context import Context, bearer_token, pick_locale
from api.errors import format_error
from api.strawberry_internals import Operation, OperationContextHandler
from domain import auth
from domain.errors import BadInput, ErrorCode, QuanziError, RateLimited, Unauthenticated
from domain.models import User

log = logging.getLogger("quanzi.sockets")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TRY_AGAIN_LATER = 1013
# Where `connection_init`'s payload may carry the token ("Bearer …" or the bare token).
TOKEN_KEYS = ("authorization", "Authorization", "token")
# Operations in flight on one socket (queries, mutations and subscriptions together).
OPERATIONS_MAX = 100


class TextFrames(ASGIWebSocketAdapter):
    """Every frame as text: graphql-transport-ws is a text protocol, and standard clients
    drop binary frames (the view encodes JSON to bytes, which suits HTTP)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            return  # closed by us (a ban, an expired token): nothing more goes out
        encoded = self.view.encode_json(message)
        text = encoded.decode() if isinstance(encoded, bytes) else encoded
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class SocketHandler(OperationContextHandler[Context]):
    _closing = False
    _watchdog: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if message.get("payload") is None:  # no payload, or null: nothing but a header token
            message = {**message, "payload": {}}
        payload = message["payload"]
        if isinstance(payload, dict) and not self.connection_init_received:
            self.context.locale = _locale(payload, self.context.locale)
            try:
                await self._sign_in(payload)
            except QuanziError as exc:
                await self.close(*close_for(exc))
                return
            except Exception as exc:  # the database is down: the client retries later
                log.warning("socket sign-in failed: %r", exc)
                await self.close(CLOSE_TRY_AGAIN_LATER, "service_unavailable")
                return
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._watchdog is None:
            self._watchdog = asyncio.create_task(self._watch())

    async def _sign_in(self, payload: dict[str, object]) -> None:
        """The token of `connection_init`'s payload, else the upgrade request's
        `Authorization` header (what `wx.connectSocket({header})` sends)."""
        raw = next((payload[k] for k in TOKEN_KEYS if payload.get(k)), None)
        if raw is not None:
            if not isinstance(raw, str):
                raise Unauthenticated("token_invalid")
            self.context.bearer = bearer_token(
                raw if raw.lower().startswith("bearer ") else f"Bearer {raw}"
            )
        if self.context.bearer is None:
            raise Unauthenticated("token_missing")
        self.context.reset_viewer()
        if await self.context.viewer() is None:
            raise Unauthenticated("token_missing")
        self.context.recheck = self.check

    async def check(self) -> User:
        """The member the socket's token names, as of now; when the token or the member no
        longer holds, the socket is closed with the reason and the error raised."""
        try:
            return await auth.authenticate(self.context.runtime.tokens, self.context.bearer or "")
        except QuanziError as exc:
            await self.close(*close_for(exc))
            raise

    async def operation_context(self, operation: Operation[Context, None]) -> Context | None:
        try:
            viewer = await self.check()
        except QuanziError:
            return None  # the socket is closing
        except Exception as exc:  # the database is down: this operation fails, not the socket
            await self._send_error(operation.id, exc)
            return None
        # A document that does not parse is the client's error frame (GRAPHQL_PARSE_FAILED),
        # where Strawberry's stream would raise and log it as the server's.
        parse = getattr(self.view, "parse", None)
        try:
            if not isinstance(operation.query, str):
                raise BadInput(field="query")
            if parse is not None:
                parse(operation.query)
        except (GraphQLError, BadInput) as exc:
            await self._send_error(operation.id, exc)
            return None
        return self.context.for_operation(viewer)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if (
            self.connection_acknowledged
            and message.get("id") not in self.operations
            and len(self.operations) >= OPERATIONS_MAX
        ):
            await self._send_error(
                message["id"], RateLimited("too_many_subscriptions", max=OPERATIONS_MAX)
            )
            return
        await super().handle_subscribe(message)

    async def _send_error(self, operation_id: str, exc: Exception) -> None:
        error = format_error(
            exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc),
            self.context.locale,
            self.context.request_id,
        )
        self.operations.pop(operation_id, None)
        with contextlib.suppress(WebSocketDisconnected):
            await self.send_message(
                {"id": operation_id, "type": "error", "payload": [error.formatted]}
            )

    async def close(self, code: int, reason: str) -> None:
        if self._closing:
            return
        self._closing = True
        with contextlib.suppress(Exception):  # the client may be gone already
            await self.websocket.close(code=code, reason=reason)

    async def _watch(self) -> None:
        """Checks an idle socket again: its live subscriptions end with a ban or the token."""
        every: float = getattr(self.view, "socket_recheck_seconds", 60.0)
        while not self._closing:
            await asyncio.sleep(min(every, self._token_seconds_left()))
            try:
                await self.check()
            except QuanziError:
                return
            except Exception as exc:  # the database is down: check again next round
                log.warning("socket check failed: %r", exc)

    def _token_seconds_left(self) -> float:
        try:
            claims = self.context.runtime.tokens.verify_access(self.context.bearer or "")
        except QuanziError:
            return 0.0
        return max(0.0, (claims.expires_at - datetime.now(UTC)).total_seconds()) + 0.05

    async def shutdown(self) -> None:
        watchdog = self._watchdog
        if watchdog is not None and watchdog is not asyncio.current_task():
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        await super().shutdown()


def close_for(error: QuanziError) -> tuple[int, str]:
    """The close code and reason for a sign-in that does not hold: 4401 and the reason for
    the token (`token_missing`, `token_invalid`, `token_expired`, `session_revoked`), which
    graphql-ws reports at once; 4403 `account_banned` for the member."""
    if error.code is ErrorCode.UNAUTHENTICATED:
        return CLOSE_UNAUTHENTICATED, error.message_key
    return CLOSE_FORBIDDEN, error.message_key


def _locale(payload: Mapping[str, object], default: str) -> str:
    for key in ("locale", "acceptLanguage", "Accept-Language", "accept-language"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return pick_locale(value)
    return default
