"""What an HTTP request to /graphql is refused before the schema runs, decided once:

- a subscription: it needs the WebSocket (400, `SUBSCRIPTION_NEEDS_WEBSOCKET`), signed in
  or not;
- a bearer token that does not hold: 401 `UNAUTHENTICATED` with `extensions.reason`
  (`token_expired`: refresh and retry; `token_invalid`, `session_revoked`: sign in again) and
  `WWW-Authenticate: Bearer error="invalid_token"`; a banned member's token: 403 `FORBIDDEN`
  (`account_banned`). Nothing of the operation runs, so a public page never comes back half
  answered (an error in each card's non-null `viewerHasLiked` used to blank a whole feed).

An operation that only signs in or refreshes (`SIGN_IN_FIELDS`) needs no bearer: a bad one
is ignored, since a client's refresh link often still sends the stale header. No token at all
is anonymous reading, as before."""

from __future__ import annotations

from collections.abc import Callable

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
)
from starlette.responses import JSONResponse, Response

from api.context import Context
from api.errors import error_response
from api.telemetry import count_errors
from domain.errors import ErrorCode, QuanziError
from domain.texts import render

SUBSCRIPTION_NEEDS_WEBSOCKET = "SUBSCRIPTION_NEEDS_WEBSOCKET"
# Root fields that sign a member in or trade a refresh token: what they do never depends on
# who the bearer says is asking.
SIGN_IN_FIELDS = frozenset({"wechatLogin", "devLogin", "refreshToken", "__typename"})


class Refused(Exception):
    """A request answered before the schema runs, in the usual error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message_key: str,
        *,
        operation_name: str | None = None,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_key)
        self.status = status
        self.code = code
        self.message_key = message_key
        self.operation_name = operation_name
        self.reason = reason
        self.headers = headers or {}

    def response(self, locale: str, request_id: str) -> JSONResponse:
        count_errors(self.operation_name, [self.code])
        extensions: dict[str, object] = {"requestId": request_id}
        if self.reason is not None:
            extensions = {"reason": self.reason, **extensions}
        answer = error_response(
            render(self.message_key, locale), self.code, self.status, **extensions
        )
        answer.headers.update(self.headers)
        return answer


def check_request(
    parse: Callable[[str], DocumentNode],
    query: str | None,
    operation_name: str | None,
    context: Context,
) -> None:
    """Refused (see the module) or let through; a request that may go on reading with a bad
    bearer (it only signs in) goes on anonymous. A query that does not parse, or names no
    single operation, is let through for the schema to say why, unless its bearer is bad."""
    operation = _selected(parse, query, operation_name)
    name = operation.name.value if operation is not None and operation.name else operation_name
    if operation is not None and operation.operation is OperationType.SUBSCRIPTION:
        raise Refused(
            400,
            SUBSCRIPTION_NEEDS_WEBSOCKET,
            "subscription_needs_websocket",
            operation_name=name,
        )
    refusal = context.bearer_refusal()
    if refusal is None:
        return
    if operation is not None and signs_in_only(operation):
        context.read_anonymously()
        return
    raise bearer_refused(refusal, name)


def signs_in_only(operation: OperationDefinitionNode) -> bool:
    """Whether every root field of `operation` is one that signs in or refreshes (fields
    reached through fragments count as any other)."""
    return operation.operation is OperationType.MUTATION and all(
        isinstance(selection, FieldNode) and selection.name.value in SIGN_IN_FIELDS
        for selection in operation.selection_set.selections
    )


def bearer_refused(error: QuanziError, operation_name: str | None) -> Refused:
    if error.code is ErrorCode.UNAUTHENTICATED:
        return Refused(
            401,
            ErrorCode.UNAUTHENTICATED.value,
            error.message_key,
            operation_name=operation_name,
            reason=error.message_key,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return Refused(
        403 if error.code is ErrorCode.FORBIDDEN else 400,
        error.code.value,
        error.message_key,
        operation_name=operation_name,
        reason=error.message_key,
    )


def _selected(
    parse: Callable[[str], DocumentNode], query: str | None, operation_name: str | None
) -> OperationDefinitionNode | None:
    if not query:
        return None
    try:
        document = parse(query)
    except GraphQLError:
        return None
    return get_operation_ast(document, operation_name)


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def negotiate_media_type(accept: str | None, response: Response) -> None:
    """GraphQL over HTTP's own media type for a client that asks for it (Apollo Client 4,
    urql and graphql-http send `Accept: application/graphql-response+json, application/json`):
    such a client reads the body of a 4xx answer as GraphQL errors, so a refresh link sees
    the 401's `UNAUTHENTICATED` as a GraphQL error rather than a network failure. Everyone
    else (`wx.request`, `*/*`) keeps `application/json`."""
    if response.media_type != "application/json" and not (
        response.headers.get("content-type", "").startswith("application/json")
    ):
        return
    if accept is None or not _accepts_graphql_response(accept):
        return
    response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"


def _accepts_graphql_response(accept: str) -> bool:
    for part in accept.split(","):
        media, _, parameters = part.partition(";")
        if media.strip().lower() != GRAPHQL_RESPONSE_JSON:
            continue
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False
