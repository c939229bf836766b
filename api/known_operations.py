"""Known operations: a query the schema has parsed and validated once runs again without
Strawberry's set-up of an operation (issue 22).

`strawberry.Schema.execute` builds, for every operation, an execution context, an instance of
each of the schema's extensions and a context manager for each of their hooks, then looks up
the parsed document and its validation in their caches, before graphql-core executes. On a
Feed page that was about a seventh of the worker's CPU (bench/README.md, run 18). The same
query text is sent again and again (the mini-program's documents are fixed; a persisted
query is resolved to its text before the schema sees it), and what all that set-up decides
about a text is decided once: whether it parses under the token limit, whether it validates
(graphql-core's rules, Strawberry's, the depth/alias/cost guard, storable literals, no
introspection in production) and which operation it names.

So the first run of a text goes the whole way, and once it has passed parsing and validation
as a query (`LearnKnownOperations`, a hook that only runs then) the text and operation name
are remembered with their parsed document. A later run of the same text and name
(`run_known`) does what the extensions do at execution and after, through the very
functions they call, in their order, and executes the remembered document with the schema's
executor as Strawberry would:

- StorableVariables: the variables refused (`api.guards.refused_variables`);
- RateLimits: the caller over a limit (`api.ratelimit.over_limit`), which may replace that;
- NotificationDelivery: notifications collected, and delivered at the end
  (`api.notifications.deliver_collected`);
- ErrorFormatter: errors shaped, latency and error codes recorded (`api.errors.operation_done`);
- the parsing and validation extensions (MaxTokensLimiter, SharedParserCache,
  AddValidationRules, GuardedValidation, DisableIntrospection): nothing more, the text having
  passed them; they depend on the text alone.

A known query that is one page of a feed may be answered from a kept answer instead of
executing, where its page reads as before (api/kept_answers.py): after the variables and the
rate limits, before the notifications and the metrics, as an execution would be.

`HONOURED` lists those extension classes: tests/api/test_known_operations.py fails when the
schema gains an extension the list does not name, so a new extension's rule cannot be
skipped here unseen. Mutations and subscriptions are never remembered, and a text is known
only while its document is kept (api/documents.py: within a budget of tokens).

Two differences from the long way, neither in an answer: the latency recorded leaves out the
parse and validation lookups skipped; and what an extension or the executor raised is
answered as an `ExecutionResult`, where Strawberry answers its subclass `PreExecutionError`
(the same data and error; only the WebSocket handlers, which never come here, tell the two
apart)."""

from __future__ import annotations

import inspect
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any
from weakref import WeakSet

from graphql import DocumentNode, MiddlewareManager, execute
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution import Executor
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api import errors, guards, kept_answers, notifications, ratelimit
from api.documents import DOCUMENTS, drop_derived
from api.strawberry_internals import (
    SharedParserCache,
    coerce_error,
    core_schema,
    provided_operation_name,
)
from domain import notifications as collected

# Strawberry's middleware for extensions that resolve: none of the schema's do.
_NO_MIDDLEWARE = MiddlewareManager()


@dataclass(frozen=True, slots=True)
class Known:
    document: DocumentNode
    # The operation's name as Strawberry's execution context reads it (the one given, or the
    # document's only operation's): what the rate limits and metrics are keyed by.
    operation_name: str | None


class KnownOperations:
    """The last `size` query texts (with the operation name given) that parsed and
    validated, with their documents."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._known: OrderedDict[tuple[str, str | None], Known] = OrderedDict()
        _instances.add(self)

    def get(self, query: str, operation_name: str | None) -> Known | None:
        key = (query, operation_name)
        known = self._known.get(key)
        if known is not None:
            self._known.move_to_end(key)
        return known

    def learn(
        self,
        query: str,
        provided_name: str | None,
        document: DocumentNode,
        operation_name: str | None,
    ) -> None:
        if not DOCUMENTS.holds(document):
            return  # known only while its document is kept (api/documents.py)
        self._known[(query, provided_name)] = Known(document, operation_name)
        self._known.move_to_end((query, provided_name))
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    def forget(self, document: DocumentNode) -> None:
        drop_derived(self._known, attrgetter("document"), document)

    def __len__(self) -> int:
        return len(self._known)


# Every schema's KnownOperations (tests build many schemas; each goes with its schema).
_instances: WeakSet[KnownOperations] = WeakSet()


def _forget(document: DocumentNode) -> None:
    """A document no longer kept (api/documents.py) is no longer known anywhere."""
    for known in list(_instances):
        known.forget(document)


DOCUMENTS.on_forget(_forget)


class LearnKnownOperations(SchemaExtension):
    """Remembers a query text once it has passed parsing and validation (this hook runs
    only then) on the schema's KnownOperations, if it has them."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        known: KnownOperations | None = getattr(execution.schema, "known_operations", None)
        document = execution.graphql_document
        if (
            known is not None
            and execution.query is not None
            and document is not None
            and execution.operation_type is OperationType.QUERY
        ):
            known.learn(
                execution.query,
                provided_operation_name(execution),
                document,
                execution.operation_name,
            )
        yield


# The schema's extensions, and where a known operation does what each does (the module's doc).
HONOURED: dict[type[SchemaExtension], str] = {
    MaxTokensLimiter: "parsing: the text parsed once under the limit",
    SharedParserCache: "parsing: the document remembered with the text",
    AddValidationRules: "validation: the text validated once",
    guards.GuardedValidation: "validation: the text validated once",
    DisableIntrospection: "validation: the text validated once",
    guards.StorableVariables: "api.guards.refused_variables",
    ratelimit.RateLimits: "api.ratelimit.over_limit",
    notifications.NotificationDelivery: "api.notifications.deliver_collected",
    errors.ErrorFormatter: "api.errors.operation_done",
    LearnKnownOperations: "what makes an operation known",
}


def applies(allowed: Iterable[OperationType] | None) -> bool:
    """Whether a known query may run the short way where `allowed` operation types may (a
    view that refuses queries, as a GET without allow_queries_via_get, goes the long way)."""
    return allowed is None or OperationType.QUERY in allowed


async def run_known(
    schema: Any,
    known: Known,
    executor: type[Executor],
    variables: dict[str, Any] | None,
    context: Any,
    root_value: Any,
    operation_extensions: dict[str, Any] | None,
) -> ExecutionResult:
    """What `strawberry.Schema.execute` answers for a known query (see the module's doc)."""
    started = time.perf_counter()
    result: GraphQLExecutionResult | None = None
    try:
        result = guards.refused_variables(variables)
        limited = await ratelimit.over_limit(context, known.document, known.operation_name)
        if limited is not None:
            result = limited
        ids = collected.start_collecting()
        ahead = None
        if result is None and getattr(schema, "kept_answers", False):
            ahead = await kept_answers.read_ahead(
                known.document, known.operation_name, variables, context
            )
            if ahead is not None:
                result = kept_answers.recall(schema, known.document, ahead)
        if result is None:
            answer = execute(
                core_schema(schema),
                known.document,
                root_value=root_value,
                context_value=context,
                variable_values=variables,
                operation_name=known.operation_name,
                middleware=_NO_MIDDLEWARE,
                executor_class=executor,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                operation_extensions=operation_extensions,
            )
            result = await answer if inspect.isawaitable(answer) else answer
            if ahead is not None:
                kept_answers.keep(schema, known.document, ahead, result, context)
        await notifications.deliver_collected(context, ids)
        errors.operation_done(known.operation_name, started, result, context)
    except Exception as error:  # as Strawberry answers what an extension or executor raised
        return ExecutionResult(data=None, errors=[coerce_error(error)], extensions={})
    return ExecutionResult(data=result.data, errors=result.errors, extensions={})
