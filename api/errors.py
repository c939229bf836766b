"""Turns errors into the client's shape, once: stable `extensions.code`, localized message,
the offending `field`; anything unexpected is masked and logged with the request id."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import asyncpg
import structlog
from graphql import GraphQLError, GraphQLSyntaxError
from redis.exceptions import RedisError
from starlette.responses import JSONResponse
from strawberry.extensions import SchemaExtension
from tortoise.exceptions import DBConnectionError
from tortoise.exceptions import ValidationError as TortoiseValidationError

from api.telemetry import observe_operation
from domain.errors import ErrorCode, QuanziError
from domain.texts import render

log = structlog.get_logger("quanzi.api")

INTERNAL = "INTERNAL_SERVER_ERROR"
# A client's bug, not its user's: the document does not parse, or does not validate against
# the schema (Apollo's codes). Their message is graphql-core's English text, whatever the
# Accept-Language, for the developer; an app shows its user a generic message instead.
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


class ErrorFormatter(SchemaExtension):
    """Shapes every error of the operation, then records its latency and error codes."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        self._streamed = False
        yield
        execution = self.execution_context
        operation_done(
            execution.operation_name,
            started,
            execution.result,
            execution.context,
            shape=not self._streamed,
        )

    def on_stream_result(self, result: object) -> Iterator[None]:
        """Over a WebSocket each result is sent as it comes, before the operation ends."""
        self._streamed = True
        if getattr(result, "errors", None):
            shape_errors(result, self.execution_context.context)
        yield


def operation_done(
    name: str | None, started: float, result: object, context: object, *, shape: bool = True
) -> None:
    """ErrorFormatter's end of an operation that began at `started` (perf_counter): its
    errors shaped (unless they were as they streamed), its latency and error codes
    recorded. Known operations (api/known_operations.py) end the same way."""
    errors = getattr(result, "errors", None)
    if result is not None and errors and shape:
        shape_errors(result, context)
        errors = result.errors  # type: ignore[attr-defined]
    observe_operation(
        name,
        time.perf_counter() - started,
        [str((e.extensions or {}).get("code")) for e in errors or ()],
    )


def shape_errors(result: object, context: object) -> None:
    """Every error of `result` in the client's shape (format_error), in place."""
    locale = getattr(context, "locale", "zh")
    request_id = getattr(context, "request_id", "")
    errors = result.errors  # type: ignore[attr-defined]
    result.errors = [format_error(e, locale, request_id) for e in errors]  # type: ignore[attr-defined]


_UNAVAILABLE: tuple[type[BaseException], ...] = (
    RedisError,
    ConnectionError,  # refused, reset
    TimeoutError,
    FileNotFoundError,  # a unix socket that is gone (the embedded servers)
    DBConnectionError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InterfaceError,  # a pooled connection the server closed
)


def error_response(message: str, code: str, status: int, **extensions: object) -> JSONResponse:
    """One error in the GraphQL shape, for answers given outside the schema."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return JSONResponse({"errors": [error]}, status_code=status)


def backend_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` (or what it wraps) means PostgreSQL or Redis could not be reached."""
    return _caused_by(exc, _UNAVAILABLE)


def _caused_by(exc: BaseException | None, kinds: tuple[type[BaseException], ...]) -> bool:
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, kinds):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


# PostgreSQL rolled a transaction back whole to end a conflict with another: a deadlock's
# victim (40P01) or a serialization failure (40001). Nothing it did is kept; doing it again
# succeeds. (The lock order of domain/content_status.py keeps deadlocks out of the writes
# we know of; one that is still found is logged.)
_ROLLED_BACK = (asyncpg.exceptions.TransactionRollbackError,)


# How graphql-core prefixes a variable's refused value: `Variable '$input' has invalid value
# at .startsAt: ...`; the last name in it is the input field the client filled.
_VARIABLE = re.compile(r"Variable '\$(\w+)' has invalid value(?: at ([^:]*))?:")


def _cause(error: GraphQLError) -> BaseException | None:
    """What went wrong, through the GraphQLErrors that wrap it: a variable's error wraps the
    scalar's, which carries the BadInput of a DateTime or Date in the wrong format."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original


def _input_field(error: GraphQLError) -> str | None:
    found = _VARIABLE.match(error.message)
    if found is None:
        return None
    names = re.findall(r"[A-Za-z_]\w*", found[2] or "")
    return names[-1] if names else found[1]


def format_error(error: GraphQLError, locale: str, request_id: str) -> GraphQLError:
    """The client's shape of one error: a stable code, a message in the caller's language."""
    original = _cause(error)
    if isinstance(original, QuanziError):
        extensions: dict[str, object] = {"code": original.code.value}
        field = original.field or _input_field(error)
        if field:
            extensions["field"] = field
        if original.code is ErrorCode.RATE_LIMITED and "retry_after" in original.params:
            extensions["retryAfter"] = original.params["retry_after"]
        message = render(original.message_key, locale, **original.params)
        return _copy(error, message, extensions)
    if original is None or isinstance(original, GraphQLError):
        code = (error.extensions or {}).get("code")
        if code == ErrorCode.QUERY_TOO_COMPLEX.value or error.message.startswith(
            "Syntax Error: Document contains more than"
        ):
            extensions = {**(error.extensions or {}), "code": ErrorCode.QUERY_TOO_COMPLEX.value}
            message = f"{render('query_too_complex', locale)} ({error.message})"
            return _copy(error, message, extensions)
        if code not in (VALIDATION_FAILED, PARSE_FAILED):
            parsing = isinstance(error, GraphQLSyntaxError) or isinstance(
                original, GraphQLSyntaxError
            )
            # Otherwise a variable's value that its type refuses: the input is wrong.
            code = PARSE_FAILED if parsing else ErrorCode.BAD_USER_INPUT.value
        return _copy(error, error.message, {**(error.extensions or {}), "code": code})
    if backend_unavailable(original):
        # PostgreSQL or Redis is down or restarting: what needed it cannot answer now; the
        # pools reconnect by themselves once it is back.
        log.warning(
            "backend unavailable", request_id=request_id, path=error.path, error=repr(original)
        )
        return _copy(
            error,
            render("service_unavailable", locale),
            {"code": ErrorCode.SERVICE_UNAVAILABLE.value},
        )
    if _caused_by(original, _ROLLED_BACK):
        log.warning(
            "transaction rolled back in a conflict",
            request_id=request_id,
            path=error.path,
            error=repr(original),
        )
        return _copy(
            error, render("try_again", locale), {"code": ErrorCode.SERVICE_UNAVAILABLE.value}
        )
    if isinstance(original, TortoiseValidationError):
        # A value the model refuses (too long for its column...): the input's fault, but a
        # check the domain should have made first, so it is logged.
        log.warning("input refused by the model", request_id=request_id, error=str(original))
        return _copy(error, render("bad_input", locale), {"code": ErrorCode.BAD_USER_INPUT.value})
    log.error(
        "unexpected error",
        request_id=request_id,
        path=error.path,
        exc_info=(type(original), original, original.__traceback__),
    )
    return _copy(error, render("internal", locale), {"code": INTERNAL, "requestId": request_id})


def validation_failed(error: GraphQLError) -> GraphQLError:
    """A validation error marked GRAPHQL_VALIDATION_FAILED, unless it has a code of its own
    (QUERY_TOO_COMPLEX) or is a domain refusal (text that cannot be stored: BAD_USER_INPUT)."""
    if (error.extensions or {}).get("code") or isinstance(error.original_error, QuanziError):
        return error
    return _copy(error, error.message, {**(error.extensions or {}), "code": VALIDATION_FAILED})


def _copy(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )
