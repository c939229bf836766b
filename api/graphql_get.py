"""GraphQL over GET, for reads a CDN or the browser may cache (Apollo's
`useGETForHashedQueries`): `GET /graphql?operationName=…&variables=<json>&extensions=<json>`
(or `documentId=…`) runs a persisted query, automatic or registered, and only a query.

- GET never carries query text: `query=`, no hash at all, or a mutation behind a hash
  answer 405 with `Allow: POST` and code METHOD_NOT_ALLOWED (a miss answers
  PERSISTED_QUERY_NOT_FOUND, and Apollo then POSTs the text). A subscription behind a hash
  answers 400 SUBSCRIPTION_NEEDS_WEBSOCKET, as it would over POST. Outside production a browser's
  bare `GET /graphql` (no parameters, Accept text/html) still gets GraphiQL.
- The query string is bounded like a body (guards.BodySizeLimit: 414 past
  QUANZI_GRAPHQL_MAX_QUERY_STRING_BYTES), and its values pass the same checks.
- Cache headers on every /graphql answer: a GET answered without errors and sent without
  `Authorization` may be cached publicly for QUANZI_PUBLIC_CACHE_SECONDS (and served stale
  for as long again while revalidating); with `Authorization` it is private, never stored;
  anything with errors (a miss included) and every POST answer is never stored. GET answers
  vary by Accept-Language (messages) and Authorization."""

from __future__ import annotations

from functools import lru_cache

import orjson
from graphql import GraphQLError, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import Response

from api.edge import SUBSCRIPTION_NEEDS_WEBSOCKET, Refused
from api.persisted import PersistedQueryError

METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
_PARAMETERS = ("query", "extensions", "documentId", "operationName", "variables")


def wants_graphiql(request: Request) -> bool:
    """A browser opening /graphql: a GET with no GraphQL parameters that accepts HTML."""
    return (
        request.method == "GET"
        and not any(name in request.query_params for name in _PARAMETERS)
        and "text/html" in request.headers.get("accept", "")
    )


def only_post(key: str) -> PersistedQueryError:
    return PersistedQueryError(METHOD_NOT_ALLOWED, key, 405, key=key, headers={"Allow": "POST"})


async def document_id(request: Request) -> object:
    """The request's top-level `documentId`, if any (Strawberry reads no such field)."""
    if request.method == "GET":
        return request.query_params.get("documentId")
    body = await request.body()  # read once already; Starlette keeps it
    if b'"documentId"' not in body:
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return data.get("documentId") if isinstance(data, dict) else None


def check_hashed(query: str | None, digest_sent: bool) -> None:
    """A GET must name a persisted document and carry no text."""
    if query is not None or not digest_sent:
        raise only_post("get_persisted_only")


def check_query(text: str | None, operation_name: str | None) -> None:
    """Over GET, the operation to run must be a query; a subscription is told, as over
    POST, that it needs the WebSocket."""
    kind = _operation_type(text, operation_name) if text is not None else None
    if kind == "subscription":
        raise Refused(
            400,
            SUBSCRIPTION_NEEDS_WEBSOCKET,
            "subscription_needs_websocket",
            operation_name=operation_name,
        )
    if kind not in (None, "query"):
        raise only_post("get_queries_only")


@lru_cache(maxsize=1024)
def _operation_type(text: str, operation_name: str | None) -> str | None:
    """The type of the operation that would run; None when that is for execution to say
    (it does not parse, or names no single operation)."""
    try:
        operation = get_operation_ast(parse(text, no_location=True), operation_name)
    except GraphQLError:
        return None
    return operation.operation.value if operation is not None else None


def set_cache_headers(request: Request, response: Response, public_seconds: int) -> None:
    """See the module: `request.state.graphql_errors` is False once a result without errors
    was answered (QuanziGraphQL.process_result)."""
    if response.media_type != "application/json" and request.method == "GET":
        return  # GraphiQL's page
    succeeded = response.status_code == 200 and not getattr(request.state, "graphql_errors", True)
    if request.method != "GET":
        response.headers["Cache-Control"] = "no-store"
        return
    response.headers["Vary"] = "Accept-Language, Authorization"
    if not succeeded:
        response.headers["Cache-Control"] = "no-store"
    elif "authorization" in request.headers:
        response.headers["Cache-Control"] = "private, no-store"
    elif public_seconds > 0:
        response.headers["Cache-Control"] = (
            f"public, max-age={public_seconds}, stale-while-revalidate={public_seconds * 2}"
        )
    else:
        response.headers["Cache-Control"] = "no-store"
