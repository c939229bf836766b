"""The Starlette application factory: /graphql, /healthz, /metrics, the operator console at
/console, request ids, access logs."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from functools import partial

import orjson
import structlog
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import DocumentNode
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult, SubscriptionExecutionResult

from api import kept_answers
from api.context import Context, bearer_token, pick_locale
from api.edge import Refused, check_request, negotiate_media_type
from api.errors import INTERNAL, backend_unavailable, error_response, format_error
from api.graphql_get import (
    check_hashed,
    check_query,
    document_id,
    set_cache_headers,
    wants_graphiql,
)
from api.guards import (
    BodySizeLimit,
    Limits,
    check_storable,
    check_variables,
    document_problems,
    valid_document,
)
from api.health import healthz
from api.media import MediaFiles, upload_image
from api.notification_hub import NotificationHub
from api.persisted import PersistedQueries, PersistedQueryError, requested_id
from api.persisted_documents import load_documents
from api.ratelimit import Limiter
from api.schema import QuanziSchema, build_schema
from api.sockets import SocketHandler, TextFrames
from api.strawberry_internals import GraphQLView, shared_parse, starlette_request
from api.telemetry import metrics_endpoint, observe
from console.app import console_mount
from domain.errors import ErrorCode, QuanziError
from domain.texts import render
from quanzi.bootstrap import Runtime, start_runtime, stop_runtime
from quanzi.embedded import start_embedded
from quanzi.logs import configure_logging
from quanzi.settings import Settings, load_settings

access_log = structlog.get_logger("quanzi.access")

# The collector's youngest generation is collected once this many more container objects
# were made than freed (CPython's default: 700). A served page frees many objects older than
# itself (kept cards and pages replaced, loaders' caches), each free taking one off that
# count, so at 700 a young collection came every few pages and walked thousands of live
# objects each time: 9-10% of a Feed page's CPU went to the collector. At 10,000 it is 4-5%
# (measured with gc.callbacks: bench/README.md, "The collector"). What waits for a
# collection is at most this many objects more.
YOUNG_COLLECTION_EVERY = 10_000

_REQUEST_ID_MAX = 64
# The id of a request that sent none: 32 hex digits, as a uuid4's, from this process's random
# prefix and a count (uuid4 reads the kernel's random source, a system call on every
# request). A worker is a process of its own (uvicorn spawns them): its prefix too.
_ID_PREFIX = uuid.uuid4().hex[:20]
_request_count = itertools.count()


class RequestIdMiddleware:
    """Gives every request an id (the caller's X-Request-ID if sane), binds it to the logs,
    echoes it in the response, and writes one access line when the response is done."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        request_id = (
            incoming
            if incoming.isascii()
            and 0 < len(incoming) <= _REQUEST_ID_MAX
            and incoming.replace("-", "").isalnum()
            else f"{_ID_PREFIX}{next(_request_count) & 0xFFFFFFFFFFFF:012x}"
        )
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if scope["type"] == "http":
                    seconds = time.perf_counter() - started
                    observe(scope["method"], scope["path"], status, seconds)
                    if scope["path"] not in ("/healthz", "/metrics"):
                        access_log.info(
                            "request",
                            method=scope["method"],
                            path=scope["path"],
                            status=status,
                            duration_ms=round(seconds * 1000, 2),
                        )


class QuanziGraphQL(GraphQLView[Context]):
    # The Starlette app's state (runtime, persisted queries), set by create_app.
    app_state: State | None = None
    # How often an idle socket's token and member are checked again (SocketHandler).
    socket_recheck_seconds: float = 60.0
    # How long a public GET answer may be cached (api/graphql_get.py).
    public_cache_seconds: int = 30
    # The schema's own (cached) parse, for what the edge decides before it runs.
    parse: Callable[[str], DocumentNode] | None = None

    # Sockets check the member again before every operation (api/sockets.py); the older
    # graphql-ws protocol, which would bypass that, is not offered.
    graphql_transport_ws_handler_class = SocketHandler
    websocket_adapter_class = TextFrames  # type: ignore[assignment]

    async def on_ws_connect(self, context: Context) -> None:
        """SocketHandler has signed the socket in; nothing unsigned is acknowledged."""
        if context.known_viewer() is None:
            raise ConnectionRejectionError()

    def refused(self, request: Request, exc: Exception) -> Response | None:
        """A request that is not GraphQL at all (bad JSON, no query, a batch) is answered
        in the GraphQL error shape rather than plain text."""
        if isinstance(exc, HTTPException):
            return error_response(exc.reason, ErrorCode.BAD_USER_INPUT, exc.status_code)
        locale = pick_locale(request.headers.get("accept-language"))
        if isinstance(exc, PersistedQueryError):
            message = render(exc.key, locale) if exc.key else exc.message
            answer = error_response(message, exc.code, exc.status)
            answer.headers.update(exc.headers)
            return answer
        if isinstance(exc, Refused):
            return exc.response(locale, request.scope.get("state", {}).get("request_id", ""))
        if isinstance(exc, QuanziError):
            message = render(exc.message_key, locale, **exc.params)
            field = {"field": exc.field} if exc.field else {}
            return error_response(message, exc.code.value, 400, **field)
        # Before the schema runs (signing the caller in): a database that is down or
        # restarting is a clean 503 to retry, not a crash.
        if backend_unavailable(exc):
            access_log.warning("backend unavailable", error=repr(exc))
            message = render("service_unavailable", locale)
            return error_response(message, ErrorCode.SERVICE_UNAVAILABLE, 503)
        # Anything else is a bug: logged once with the request id, which the answer carries
        # (in the GraphQL shape, like every other error) for the report.
        request_id = request.scope.get("state", {}).get("request_id", "")
        access_log.error("unexpected error", exc_info=exc)
        message = render("internal", locale)
        return error_response(message, INTERNAL, 500, requestId=request_id)

    def should_render_graphql_ide(self, request: object) -> bool:
        return self.graphql_ide is not None and wants_graphiql(starlette_request(request))

    def answered(self, request: Request, response: Response) -> None:
        set_cache_headers(request, response, self.public_cache_seconds)
        negotiate_media_type(request.headers.get("accept"), response)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The request, with a persisted query's text filled in from its hash; over GET only
        a persisted query (api/graphql_get.py)."""
        data = await super().parse_http_body(request)
        state = self.app_state
        if not isinstance(data, GraphQLRequestData) or state is None:
            return data
        starlette = starlette_request(request)
        named = await document_id(starlette)
        # Before anything hashes, looks up, coerces or echoes a piece of it.
        check_variables(data.variables)
        check_storable(data.query, data.operation_name, data.extensions, named)
        is_get = request.method == "GET"
        if is_get:
            check_hashed(data.query, requested_id(data.extensions, named) is not None)
        persisted: PersistedQueries = state.persisted
        client = starlette.client
        data.query = await persisted.resolve(
            state.runtime.store,
            data.query,
            data.extensions,
            sender=client.host if client is not None else "unknown",
            document_id=named,
        )
        if is_get:
            check_query(data.query, data.operation_name)
        return data

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Refuses at the edge (api/edge.py), before anything runs, a subscription and a
        bearer token that does not hold (its sign-in confirmed first)."""
        if isinstance(request_data, GraphQLRequestData):
            await kept_answers.confirm_sign_in(self.schema, request_data, context)
        await context.authenticate()  # nothing left to do where the sign-in is confirmed
        if isinstance(request_data, GraphQLRequestData) and self.parse is not None:
            check_request(self.parse, request_data.query, request_data.operation_name, context)
        return await super().execute_operation(
            request=request,
            request_adapter=request_adapter,
            request_data=request_data,
            context=context,
            root_value=root_value,
            sub_response=sub_response,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Errors that never reached the schema's formatter (a query that does not parse)
        get the same shape: a stable code and a message in the caller's language."""
        if result.errors and any(not (e.extensions or {}).get("code") for e in result.errors):
            locale = pick_locale(request.headers.get("accept-language"))
            request_id = request.scope.get("state", {}).get("request_id", "")
            result.errors = [
                e if (e.extensions or {}).get("code") else format_error(e, locale, request_id)
                for e in result.errors
            ]
        request.state.graphql_errors = bool(result.errors)
        return process_result(result)

    def encode_json(self, data: object) -> str | bytes:
        # orjson: a twentieth of the json module's time on a feed page, and Chinese text as
        # UTF-8 rather than ASCII escapes (a third of the bytes on the wire).
        try:
            return orjson.dumps(data)
        except TypeError:  # what orjson refuses (an integer past 64 bits...) json still writes
            return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            runtime=request.app.state.runtime,
            locale=pick_locale(request.headers.get("accept-language")),
            request_id=request.scope.get("state", {}).get("request_id", ""),
            bearer=bearer_token(request.headers.get("authorization")),
        )
        if not isinstance(request, WebSocket):  # a socket signs in at connection_init
            # where kept answers are on, a feed page may confirm the sign-in (execute_operation)
            kept = isinstance(self.schema, QuanziSchema) and self.schema.kept_answers
            await context.authenticate(confirm_later=kept)
        return context


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    """Build the API. With a runtime given (tests), the caller owns connections; otherwise the
    app's lifespan connects on start-up (starting embedded servers for unset URLs outside
    production) and disconnects on shutdown."""
    settings = settings or (runtime.settings if runtime else load_settings())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if runtime is not None:
            app.state.runtime = runtime
            try:
                yield
            finally:
                await app.state.hub.stop()
            return
        configure_logging(settings.log_level, json=settings.log_json)
        effective = settings
        servers = None
        if not settings.is_production and (not settings.database_url or not settings.redis_url):
            servers = start_embedded(settings.var_dir, settings.database_url, settings.redis_url)
            effective = settings.model_copy(
                update={"database_url": servers.database_url, "redis_url": servers.redis_url}
            )
        app.state.runtime = await start_runtime(effective)
        # What start-up built (the schema, Tortoise's metadata, jieba's dictionary) lives as
        # long as the process: out of the collector's generations, a full collection no
        # longer walks it. Measured: the feed's p99 under load fell by a third (bench/README).
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
        try:
            yield
        finally:
            await app.state.hub.stop()
            await stop_runtime(app.state.runtime)
            if servers is not None:
                servers.stop()

    limits = Limits(
        depth=settings.query_max_depth,
        aliases=settings.query_max_aliases,
        cost=settings.query_max_cost,
        page_max=settings.page_max,
        fields=settings.query_max_fields,
        fields_per_selection=settings.query_max_fields_per_selection,
    )
    schema = build_schema(
        dev_login=settings.dev_login_enabled,
        introspection=not settings.is_production,
        limits=limits,
        max_tokens=settings.query_max_tokens,
        timezone=settings.community_timezone,
        compiled=settings.compiled_execution,
        kept_answers=settings.kept_answers,
    )
    graphql = QuanziGraphQL(
        schema,
        graphql_ide=None if settings.is_production else "graphiql",
        allow_queries_via_get=True,  # persisted queries only: parse_http_body
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection=None,  # SocketHandler caps, in the usual error shape
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz, methods=["GET"]),
            Route(
                "/metrics",
                metrics_endpoint(
                    settings.metrics_token, open_without_token=not settings.is_production
                ),
                methods=["GET"],
            ),
            Route("/media/images", upload_image, methods=["POST"]),
            Mount("/media", MediaFiles(directory=settings.media_root, check_dir=False)),
            console_mount(schema, settings),
        ],
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime
    if settings.rate_limits_enabled:
        app.state.limiter = Limiter(
            settings.rate_limits, trust_forwarded_for=settings.trust_forwarded_for
        )
    app.state.hub = NotificationHub(
        per_socket=settings.ws_subscriptions_per_socket,
        per_member=settings.ws_subscriptions_per_member,
    )
    app.state.persisted = PersistedQueries(
        load_documents(
            settings.persisted_queries_dir,
            partial(document_problems, schema, limits, settings.query_max_tokens),
        )
        if settings.persisted_queries_dir
        else None,
        accepts=partial(valid_document, schema, limits, settings.query_max_tokens),
    )
    graphql.app_state = app.state
    graphql.socket_recheck_seconds = settings.ws_recheck_seconds
    graphql.public_cache_seconds = settings.public_cache_seconds
    graphql.parse = shared_parse(settings.query_max_tokens)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.graphql_max_body_bytes,
        paths=lambda path: path == "/graphql",
        max_query_bytes=settings.graphql_max_query_string_bytes,
    )
    app.add_middleware(RequestIdMiddleware)
    return app
