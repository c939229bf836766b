"""Guards run before execution: a query's breadth (before validation, whose cost grows with
the square of repeated fields), its depth, aliases and cost, and the size of a request body.
Over a limit the client gets QUERY_TOO_COMPLEX (or 413 for a body) and nothing runs.

How fields, cost, depth and aliases are counted: `api.selections.breadth` and `measure`.
Their answers depend on the document alone, so the validation cache keeps the second."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutableDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
    parse,
    specified_rules,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry import Schema
from strawberry.extensions import SchemaExtension

from api.context import pick_locale
from api.documents import DOCUMENTS
from api.errors import error_response, validation_failed
from api.selections import breadth, fragments_of, measure
from api.strawberry_internals import core_schema, validate_document
from domain.errors import BadInput, ErrorCode
from domain.texts import render

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    depth: int
    aliases: int
    cost: int
    page_max: int
    # Checked before validation: fields in an operation or fragment (spread out), and in
    # one selection set. The contract's largest operation has 79 and 28.
    fields: int = 200
    fields_per_selection: int = 50


def too_complex(limit: str, allowed: int, actual: int) -> GraphQLError:
    return GraphQLError(
        f"Query {limit} {actual} exceeds the limit of {allowed}.",
        extensions={
            "code": ErrorCode.QUERY_TOO_COMPLEX.value,
            "limit": limit,
            "allowed": allowed,
            "actual": actual,
        },
    )


def complexity_rule(limits: Limits) -> type[ValidationRule]:
    """A validation rule enforcing `limits` on every operation of a document."""

    class QueryComplexity(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            size = measure(node.selection_set, fragments_of(self.context.document), limits.page_max)
            for limit, allowed, actual in (
                ("depth", limits.depth, size.depth),
                ("aliases", limits.aliases, size.aliases),
                ("cost", limits.cost, size.cost),
            ):
                if actual > allowed:
                    self.report_error(too_complex(limit, allowed, actual))
                    return

    return QueryComplexity


def breadth_error(document: DocumentNode, limits: Limits) -> GraphQLError | None:
    """QUERY_TOO_COMPLEX when an operation or fragment of `document` holds more fields than
    `limits` allow; counted in time linear in the limit, whatever the document (so `actual`
    is then the limit plus one, not the whole count)."""
    fragments = fragments_of(document)
    for definition in document.definitions:
        if not isinstance(definition, ExecutableDefinitionNode):
            continue
        size = breadth(definition.selection_set, fragments, most=limits.fields)
        for limit, allowed, actual in (
            ("fields", limits.fields, size.fields),
            ("fieldsPerSelection", limits.fields_per_selection, size.widest),
        ):
            if actual > allowed:
                return too_complex(limit, allowed, actual)
    return None


class GuardedValidation(SchemaExtension):
    """Validation, cached by document, behind the breadth guard: graphql-core's check that
    same-named fields can merge compares them pairwise, so 1,200 copies of one field (13 KB)
    took 1.5 s of the event loop before any limit was consulted."""

    def __init__(self, limits: Limits, cache_size: int) -> None:
        super().__init__()
        self.limits = limits
        self.cache_size = cache_size

    def _breadth_error(self, document: DocumentNode) -> GraphQLError | None:
        """breadth_error, once per document."""
        return self._once(
            _breadth_checked,
            (id(document), self.limits),
            (document,),
            lambda: breadth_error(document, self.limits),
        )

    def _validation_errors(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        """validate(), once per document, schema and rules."""
        return self._once(
            _validated,
            (id(document), id(schema), rules),
            (document, schema),
            lambda: validate_document(schema, document, rules),
        )

    def _once(
        self,
        store: dict[Any, tuple[tuple[Any, ...], T]],
        key: Any,
        owners: tuple[Any, ...],
        compute: Callable[[], T],
    ) -> T:
        """compute(), kept under a key holding the ids of `owners`, which are kept with the
        answer so that their ids are not reused meanwhile. By identity: the parse cache hands
        out the same document for the same text, and AST nodes are frozen dataclasses whose
        hash walks the whole document (a fiftieth of a feed page's time when an lru_cache
        asked for it on every request)."""
        hit = store.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], owners, strict=True)):
            return hit[1]
        value = compute()
        if not DOCUMENTS.holds(owners[0]):
            return value  # kept only while its document is (api/documents.py)
        if len(store) >= self.cache_size:
            store.clear()
        store[key] = (owners, value)
        return value

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None:
            refused = self._breadth_error(document)
            execution.pre_execution_errors = (
                [refused]
                if refused is not None
                else [
                    validation_failed(error)
                    for error in self._validation_errors(
                        core_schema(execution.schema), document, execution.validation_rules
                    )
                ]
            )
        yield


def document_problems(schema: Schema, limits: Limits, max_tokens: int, text: str) -> list[str]:
    """Why `text` would not run: it does not parse within `max_tokens`, is too broad, or does
    not validate against `schema` with the guards' rules. Empty when it would."""
    try:
        document = parse(text, no_location=True, max_tokens=max_tokens)
    except GraphQLError as exc:
        return [exc.message]
    refused = breadth_error(document, limits)
    if refused is not None:
        return [refused.message]
    rules = (*specified_rules, complexity_rule(limits), StorableLiterals)
    return [e.message for e in validate_document(core_schema(schema), document, rules)]


def valid_document(schema: Schema, limits: Limits, max_tokens: int, text: str) -> bool:
    """What a kept persisted query must be: see `document_problems`."""
    return not document_problems(schema, limits, max_tokens, text)


# What GuardedValidation._once keeps: (the owners, the answer) by key.
_breadth_checked: dict[Any, tuple[tuple[Any, ...], GraphQLError | None]] = {}
_validated: dict[Any, tuple[tuple[Any, ...], list[GraphQLError]]] = {}


# (each entry's owners begin with its document)
DOCUMENTS.derived(_breadth_checked, lambda entry: entry[0][0])
DOCUMENTS.derived(_validated, lambda entry: entry[0][0])


NUL = "\x00"
# A lone UTF-16 surrogate: JSON and GraphQL escapes can name one, but no UTF-8 text (a
# database column, a Redis key, a response body) can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(value: object) -> str | None:
    """The message key refusing text that PostgreSQL cannot store anywhere in `value`
    (strings, lists, input objects, their keys), or None when all of it can be stored."""
    if isinstance(value, str):
        if NUL in value:
            return "nul_character"
        # ASCII text (a query's, mostly: ~2 KB each request) holds no surrogate, and says so
        # at once (CPython marks its strings ASCII when it makes them): no scan.
        if value.isascii():
            return None
        return "surrogate_character" if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        items: list[object] = [*value.keys(), *value.values()]
        return next(filter(None, map(unstorable, items)), None)
    if isinstance(value, list):
        return next(filter(None, map(unstorable, value)), None)
    return None


# The longest list a legitimate request sends (1,000 sensitive words at once) and, with room
# to spare, the most values one request's variables hold (a survey of 50 questions of 20
# options is ~1,200). Beyond them a request is refused before GraphQL coerces its variables:
# that coercion, and the resolver's own count after it, cost ~5 µs a value on the event loop,
# and a 256 KB body holds 60,000 one-letter strings.
VARIABLE_LIST_MAX = 1_000
VARIABLE_VALUES_MAX = 3_000


def oversized(variables: object) -> BadInput | None:
    """BAD_USER_INPUT when decoded `variables` hold a list of over VARIABLE_LIST_MAX items
    (naming the field that holds it) or over VARIABLE_VALUES_MAX values in all, found in one
    pass that stops at the first; None when they are within both."""
    stack: list[tuple[str | None, object]] = [(None, variables)]
    values = 0
    while stack:
        field, value = stack.pop()
        if isinstance(value, dict):
            children: list[tuple[str | None, object]] = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            if len(value) > VARIABLE_LIST_MAX:
                return BadInput("too_many_items", field=field, max=VARIABLE_LIST_MAX)
            children = [(field, item) for item in value]
        else:
            continue
        values += len(children)
        if values > VARIABLE_VALUES_MAX:
            return BadInput("too_many_values", max=VARIABLE_VALUES_MAX)
        stack.extend(children)
    return None


def variables_refusal(variables: object) -> BadInput | None:
    """What refuses a request's `variables` before GraphQL coerces them: `oversized`, then
    text that cannot be stored; None when they may run."""
    refused = oversized(variables)
    if refused is None and (key := unstorable(variables)) is not None:
        refused = BadInput(key)
    return refused


def check_variables(variables: object) -> None:
    """Raises what `variables_refusal` finds."""
    refused = variables_refusal(variables)
    if refused is not None:
        raise refused


def check_storable(*values: object) -> None:
    """BAD_USER_INPUT when any of `values` holds text that cannot be stored."""
    for value in values:
        key = unstorable(value)
        if key is not None:
            raise BadInput(key)


def input_error(refused: BadInput) -> GraphQLError:
    return GraphQLError(str(refused), original_error=refused)


class StorableLiterals(ValidationRule):
    """PostgreSQL cannot store U+0000 or a lone surrogate: refuse them up front instead of
    failing there."""

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        key = unstorable(node.value)
        if key is not None:
            self.report_error(input_error(BadInput(key)))


class StorableVariables(SchemaExtension):
    """`variables_refusal` for variables sent over a WebSocket or by the console in process
    (HTTP's are checked as the body is read, in api/app.py)."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        refused = refused_variables(execution.variables)
        if refused is not None:
            execution.result = refused
        yield


def refused_variables(variables: object) -> GraphQLExecutionResult | None:
    """StorableVariables' answer to an operation's variables: BAD_USER_INPUT, or None."""
    refused = variables_refusal(variables) if variables else None
    if refused is None:
        return None
    return GraphQLExecutionResult(data=None, errors=[input_error(refused)])


class BodySizeLimit:
    """Refuses a /graphql request body over `max_bytes` with 413, by Content-Length when it is
    sent and by counting otherwise, and a query string (a GET's request) over
    `max_query_bytes` with 414, before anything parses them."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        paths: Callable[[str], bool],
        max_query_bytes: int = 8 * 1024,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = paths
        self.max_query_bytes = max_query_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.paths(scope["path"]):
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query_bytes:
            key, limit, status = "query_string_too_long", self.max_query_bytes, 414
            await self._refuse(scope, receive, send, key, limit, status)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: str = "body_too_large",
        limit: int | None = None,
        status: int = 413,
    ) -> None:
        locale = pick_locale(dict(scope.get("headers") or ()).get(b"accept-language", b"").decode())
        message = render(key, locale, max_kb=(limit or self.max_bytes) // 1024)
        response = error_response(message, ErrorCode.BAD_USER_INPUT, status)
        response.headers["Cache-Control"] = "no-store"  # 414 is cacheable unless told
        await response(scope, receive, send)
