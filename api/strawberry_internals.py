"""Every place Quanzi leans on Strawberry's or graphql-core's internals, in one module.

Each entry below uses something neither library documents as public, so an upgrade of
strawberry-graphql (pinned <0.400) or graphql-core (<3.4) starts here:

- `ExecutionContext` replaces graphql-core's `is_awaitable` check with one remembered by
  type (an attribute of the execution context, set per operation).
- `lean_resolvers` rewrites the `resolve` of graphql-core fields that Strawberry built,
  finding its own field through `GraphQLCoreConverter.DEFINITION_BACKREF` and building
  `Info` with its private constructor arguments (`_raw_info`, `_field`), on the schema's
  private `_schema`.
- `raw_info` reads graphql-core's resolve info (field nodes, fragments) off a Strawberry
  `Info` (`info._raw_info`).
- `now_or_later` relies on Strawberry's `DataLoader.load` answering an `asyncio.Future`
  that is already done when the key is cached.
- `validate_document` is Strawberry's validation (graphql-core's rules plus its own), which
  `api.guards.GuardedValidation` runs behind its breadth guard instead of ValidationCache.
- `coerce_error` is Strawberry's private `_coerce_error`: how `Schema.execute` turns what an
  extension or the executor raised into the operation's one error (api/known_operations.py
  answers the same); `provided_operation_name` reads the operation name a request gave
  off Strawberry's execution context (`_provided_operation_name`), which shows only the
  name it derives.
- `starlette_request` reads the Starlette request behind cross_web's request adapter
  (`_request`), which is all a view's `parse_http_body` is given.
- `GraphQLView` replaces the ASGI view's `__call__` (which answers an error raised before
  the schema runs in plain text) around the view's own `run`, and gives every HTTP answer
  to one hook before it is sent. `run` asks whether each result is a
  `SubscriptionExecutionResult`, a runtime protocol: the view's module is given
  `SubscriptionResults` for that name, which asks the protocol once per type.
- `shared_parse` is the parse function behind `SharedParserCache`, Strawberry's
  `ParserCache` extension done again (with `ExecutionContext.parse_options`), called as that
  extension calls it, so a document the edge parsed (api/edge.py) is not parsed again by
  the schema; both keep documents in api.documents, and remember the last texts that did
  not parse.
- `ExtensionsRunner` builds each hook's context manager as `contextlib.contextmanager`
  would (its private `_GeneratorContextManager` and `_AsyncGeneratorContextManager`),
  telling once per extension class which kind of hook it has, where Strawberry's
  `ExtensionContextManagerBase.get_hook` inspects and wraps (`functools.update_wrapper`)
  every hook of every extension anew for every operation.
- `OperationContextHandler` replaces the graphql-transport-ws handler's `run_operation`
  (copied from strawberry 0.341, with its private `_send_result_stream` and
  `_OperationStreamClosed`) so each operation of a socket runs with a context of its own.

The one other such place is api/compiled/, the compiled executor: a subclass of graphql-core's
`Executor` that calls its undocumented methods (`collected_errors`, `settle_in_background`,
`build_response`, `finish`, `ensure_valid_runtime_type`, `complete_list_value`) and helpers
(`collect_subfields`, `invalid_return_type_error`, `to_nodes`), and recognises Strawberry's
plain-attribute resolver by its `_is_default` mark.

tests/api/test_execution.py checks that these shortcuts answer what the long way does, and
tests/api/test_compiled_execution.py that compiled plans answer what graphql-core does."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from functools import cache, partial
from types import GeneratorType
from typing import Any, TypeVar

import strawberry
from graphql import DocumentNode, GraphQLError, GraphQLObjectType, GraphQLResolveInfo
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.dataloader import DataLoader
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.http import async_base_view
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, _coerce_error
from strawberry.schema.schema import validate_document as validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types import ExecutionContext as StrawberryExecutionContext
from strawberry.types import Info, SubscriptionExecutionResult
from strawberry.types.field import StrawberryField
from strawberry.utils.aio import aclosing

from api.documents import DOCUMENTS

C = TypeVar("C")
K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")

_AWAITABLE_BY_TYPE: dict[type, bool] = {}


def is_awaitable(value: object) -> bool:
    """Strawberry's check, remembered by type: graphql-core asks three times a field, and
    for every object type, enum and datetime Strawberry's fast path falls through to
    isinstance and hasattr. (Generators are asked each time: a flag on their code decides.)"""
    kind = type(value)
    known = _AWAITABLE_BY_TYPE.get(kind)
    if known is not None:
        return known
    answer = optimized_is_awaitable(value)
    if kind is not GeneratorType and len(_AWAITABLE_BY_TYPE) < 4096:
        _AWAITABLE_BY_TYPE[kind] = answer
    return answer


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = is_awaitable  # type: ignore[assignment]


def core_schema(schema: strawberry.Schema) -> Any:
    """The graphql-core schema Strawberry built (`GraphQLSchema`)."""
    return schema._schema


def lean_resolvers(schema: strawberry.Schema) -> None:
    """Call resolvers that take only (self, info) or (root, info) directly.

    Strawberry routes every resolver field through a general chain (arguments converted,
    field extensions composed with partial(), closures built per call) that costs more than
    a card field's own work; a feed page has a hundred such fields. Fields with arguments,
    field extensions or permission classes keep Strawberry's chain."""
    info_class = schema.config.info_class
    graphql_schema = core_schema(schema)
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        if graphql_type is graphql_schema.subscription_type:
            continue
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or field.base_resolver is None:
                continue
            if field.extensions or field.arguments:
                continue
            function = field.base_resolver.wrapped_func
            if isinstance(function, staticmethod | classmethod):
                continue
            if list(inspect.signature(function).parameters) not in (
                ["self", "info"],
                ["root", "info"],
            ):
                continue
            graphql_field.resolve = _direct(function, field, info_class)


def _direct(function: Callable[..., Any], field: object, info_class: type) -> Callable[..., Any]:
    def resolve(source: object, info: GraphQLResolveInfo) -> Any:
        return function(source, info_class(_raw_info=info, _field=field))

    return resolve


def coerce_error(error: Exception) -> GraphQLError:
    """The error `strawberry.Schema.execute` answers for an exception raised while it ran."""
    return _coerce_error(error)


def provided_operation_name(execution: StrawberryExecutionContext) -> str | None:
    """The operation name the request gave (None: none), not the one derived from the
    document's only operation."""
    return execution._provided_operation_name


def raw_info(info: Info) -> GraphQLResolveInfo:
    """graphql-core's resolve info behind a Strawberry `Info`."""
    return info._raw_info


def now_or_later(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R | Awaitable[R]:
    """convert(the loaded value) at once when the loader already has it (a connection
    prefetched its page), else an awaitable of it: no coroutine for what is already here."""
    future = loader.load(key)
    if isinstance(future, asyncio.Future) and future.done():
        return convert(future.result())
    return _convert_later(future, convert)


async def _convert_later(future: Awaitable[V], convert: Callable[[V], R]) -> R:
    return convert(await future)


# The last texts that did not parse, with their error. The edge parses a request's text
# before the schema does; a text that fails (3,000 tokens of one field repeated: ~40 ms) is
# not parsed a second time. Kept without their tracebacks, which hold the parser's tokens.
_FAILED_PARSES_MAX = 16
_failed_parses: OrderedDict[tuple[str | None, tuple[tuple[str, Any], ...]], GraphQLError] = (
    OrderedDict()
)


def _parse_once(query: str | None, **options: Any) -> DocumentNode:
    key = (query, tuple(sorted(options.items())))
    failed = _failed_parses.get(key)
    if failed is not None:
        raise failed.with_traceback(None)
    try:
        return DOCUMENTS.parse(query, **options)  # type: ignore[arg-type]
    except GraphQLError as error:
        _failed_parses[key] = error.with_traceback(None)
        if len(_failed_parses) > _FAILED_PARSES_MAX:
            _failed_parses.popitem(last=False)
        raise


def shared_parse(max_tokens: int) -> Callable[[str], DocumentNode]:
    """graphql-core's parse as `SharedParserCache` does it under `MaxTokensLimiter(max_tokens)`:
    the same documents (api.documents.DOCUMENTS), with the same options; a text that did not
    parse raises its error again unparsed."""

    def parse(query: str) -> DocumentNode:
        return _parse_once(query, max_tokens=max_tokens)

    return parse


class SharedParserCache(SchemaExtension):
    """Strawberry's ParserCache, keeping documents in api.documents.DOCUMENTS (within a
    budget of tokens rather than a number of texts) and remembering the last texts that did
    not parse, as `shared_parse` does (the two share both)."""

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        execution.graphql_document = _parse_once(execution.query, **execution.parse_options)
        yield


def starlette_request(adapter: object) -> Request:
    """The Starlette request a view's request adapter wraps."""
    request = getattr(adapter, "_request", None)
    if not isinstance(request, Request):
        raise TypeError(f"no Starlette request behind {type(adapter).__name__}")
    return request


class _ByType(type):
    def __instancecheck__(cls, instance: object) -> bool:
        kind = type(instance)
        found = _result_kinds.get(kind)
        if found is None:
            if len(_result_kinds) >= 64:
                _result_kinds.clear()
            found = _result_kinds[kind] = isinstance(instance, SubscriptionExecutionResult)
        return found


_result_kinds: dict[type, bool] = {}


class SubscriptionResults(metaclass=_ByType):
    """isinstance(result, SubscriptionResults): whether results of its type are
    Strawberry's SubscriptionExecutionResult, asked of the protocol once per type. The
    protocol finds `__aiter__` and `__anext__` with inspect.getattr_static on every check (2%
    of a feed page's CPU, asked once a request); a result's type has them or not."""


async_base_view.SubscriptionExecutionResult = SubscriptionResults  # type: ignore[misc,assignment]


class GraphQLView(GraphQL[C, None]):
    """Strawberry's ASGI view, whose HTTP requests may fail before the schema runs (a body
    that is not GraphQL, a persisted query unknown, a database down while signing the caller
    in): `refused` answers those, or None to let the error through."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except Exception as exc:
            answer = self.refused(request, exc)
            if answer is None:
                raise
            response = answer
        self.answered(request, response)
        await response(scope, receive, send)

    def refused(self, request: Request, exc: Exception) -> Response | None:
        return None

    def answered(self, request: Request, response: Response) -> None:
        """Called with every HTTP answer, refusals included, before it is sent."""


# What a hook of an extension class is: a generator function (a context manager's body),
# an async one, or something else (Strawberry's own wrapping, done per operation as before);
# None when the class does not override it.
_GENERATOR, _ASYNC_GENERATOR, _OTHER = "generator", "async generator", "other"


@cache
def _hook_kind(extension_class: type, name: str) -> tuple[str, Any] | None:
    function = getattr(extension_class, name)
    if function is getattr(SchemaExtension, name):
        return None
    if inspect.isgeneratorfunction(function):
        return (_GENERATOR, function)
    if inspect.isasyncgenfunction(function):
        return (_ASYNC_GENERATOR, function)
    return (_OTHER, function)


class _Hooks(ExtensionContextManagerBase):
    """Strawberry's context manager of one lifecycle hook, the hooks found faster."""

    __slots__ = ()

    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.hooks: list[WrappedHook] = []
        self.default_hook = getattr(SchemaExtension, self.HOOK_NAME)
        for extension in extensions:
            # (a class is hashable; mypy reads SchemaExtension's __hash__ as an instance's)
            kind = _hook_kind(type(extension), self.HOOK_NAME)  # type: ignore[arg-type]
            if kind is None:
                continue
            what, function = kind
            # what contextlib.(async)contextmanager(the bound hook)() returns
            if what == _GENERATOR:
                manager: Any = contextlib._GeneratorContextManager
                self.hooks.append(
                    WrappedHook(extension, partial(manager, function, (extension,), {}), False)
                )
            elif what == _ASYNC_GENERATOR:
                manager = contextlib._AsyncGeneratorContextManager
                self.hooks.append(
                    WrappedHook(extension, partial(manager, function, (extension,), {}), True)
                )
            else:
                wrapped = self.get_hook(extension)
                if wrapped is not None:
                    self.hooks.append(wrapped)


class _OperationHooks(_Hooks, OperationContextManager):
    __slots__ = ()


class _ValidationHooks(_Hooks, ValidationContextManager):
    __slots__ = ()


class _ParsingHooks(_Hooks, ParsingContextManager):
    __slots__ = ()


class _ExecutingHooks(_Hooks, ExecutingContextManager):
    __slots__ = ()


class ExtensionsRunner(SchemaExtensionsRunner):
    """Strawberry's runner of schema extensions, with the hooks of an operation found once
    per extension class (see the module's doc); what runs, and in which order, is the same."""

    def operation(self) -> OperationContextManager:
        return _OperationHooks(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _ValidationHooks(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _ParsingHooks(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _ExecutingHooks(self.extensions)


class OperationContextHandler(BaseGraphQLTransportWSHandler[C, None]):
    """graphql-transport-ws, where every operation runs with the context `operation_context`
    gives it (None: refused, the handler has answered or closed the socket already) instead
    of the one context the socket was opened with."""

    async def operation_context(self, operation: Operation[C, None]) -> C | None:
        return self.context

    async def run_operation(self, operation: Operation[C, None]) -> None:
        try:
            context = await self.operation_context(operation)
            if context is None:
                self.operations.pop(operation.id, None)
                return
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
