"""WebSockets (graphql-transport-ws on /graphql): errors in the HTTP shape, text frames.

Errors have the shape HTTP answers (`extensions.code`, the message in the language of the
socket's Accept-Language or of `connection_init`'s `locale`, `retryAfter` when rate
limited); every frame is text."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from api.context import Context, pick_locale
from api.errors import format_error
from domain.errors import RateLimited

# Operations in flight on one socket (queries, mutations and subscriptions together).
OPERATIONS_MAX = 100


class TextFrames(ASGIWebSocketAdapter):
    """Every frame as text: graphql-transport-ws is a text protocol, and standard clients
    drop binary frames (the view encodes JSON to bytes, which suits HTTP)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        text = encoded.decode() if isinstance(encoded, bytes) else encoded
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class SocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload", {})
        if isinstance(payload, dict) and not self.connection_init_received:
            self.context.locale = _locale(payload, self.context.locale)
        await super().handle_connection_init(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if (
            self.connection_acknowledged
            and message.get("id") not in self.operations
            and len(self.operations) >= OPERATIONS_MAX
        ):
            refused = RateLimited("too_many_subscriptions", max=OPERATIONS_MAX)
            await self._send_error(message["id"], refused)
            return
        await super().handle_subscribe(message)

    async def _send_error(self, operation_id: str, exc: Exception) -> None:
        error = format_error(
            GraphQLError(str(exc), original_error=exc), self.context.locale, self.context.request_id
        )
        self.operations.pop(operation_id, None)
        with contextlib.suppress(WebSocketDisconnected):
            await self.send_message(
                {"id": operation_id, "type": "error", "payload": [error.formatted]}
            )


def _locale(payload: Mapping[str, object], default: str) -> str:
    for key in ("locale", "acceptLanguage", "Accept-Language", "accept-language"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return pick_locale(value)
    return default
