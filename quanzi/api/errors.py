"""Turns errors into the client's shape, once: stable `extensions.code`, localized message,
the offending `field`; anything unexpected is masked and logged with the request id."""

from __future__ import annotations

from collections.abc import Iterator

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from quanzi.domain.errors import ErrorCode, QuanziError
from quanzi.domain.messages import render

log = structlog.get_logger("quanzi.api")

INTERNAL = "INTERNAL_SERVER_ERROR"


class ErrorFormatter(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        context = self.execution_context.context
        locale = getattr(context, "locale", "zh")
        request_id = getattr(context, "request_id", "")
        result.errors = [self._format(e, locale, request_id) for e in errors]

    def _format(self, error: GraphQLError, locale: str, request_id: str) -> GraphQLError:
        original = error.original_error
        if isinstance(original, QuanziError):
            extensions: dict[str, object] = {"code": original.code.value}
            if original.field:
                extensions["field"] = original.field
            message = render(original.message_key, locale, **original.params)
            return self._copy(error, message, extensions)
        if original is None or isinstance(original, GraphQLError):
            # Parse, validation and variable errors: the query itself is wrong.
            extensions = {**(error.extensions or {}), "code": ErrorCode.BAD_USER_INPUT.value}
            return self._copy(error, error.message, extensions)
        log.error(
            "unexpected error",
            request_id=request_id,
            path=error.path,
            exc_info=(type(original), original, original.__traceback__),
        )
        return self._copy(
            error, render("internal", locale), {"code": INTERNAL, "requestId": request_id}
        )

    @staticmethod
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
