"""Compiled execution of known query documents.

graphql-core interprets an operation: for every field of every object it looks the field up
in the schema, collects sub-selections (memoised by list identity), builds a `Path` and a
`GraphQLResolveInfo`, coerces arguments, calls the resolver (a chain that, for a plain
attribute, ends in `getattr`), checks for an awaitable and dispatches completion on the
return type with a row of `isinstance` checks. A feed page has ~700 such fields, and that,
not the database, is where a page's CPU went (issue 22).

A query document seen by the parse cache is the same `DocumentNode` every time (persisted
queries, APQ hits and the apps' own documents all are), so its work can be planned once:
`plan_for` compiles an operation into a tree of `ObjectPlan`s — per object type and selection
the fields in response order, each with its schema definition, its resolver or the attribute
it reads, its arguments (coerced once per request, not per item) and a completer specialised
for its return type. `CompiledExecutor.execute_operation` runs that tree. Objects of a type
that declares how to key them by content (api.compiled.memo; the feed card: api/cards.py) are
completed once per content, each request running only the viewer's own fields on a copy.

It follows graphql-core's executor step for step where behaviour shows — the same
resolvers called with the same `info`, the same errors with the same messages, locations and
paths, null propagation through non-null fields, `@disableErrorPropagation`, sibling
awaitables gathered together (DataLoaders batch as before) and settled on failure — and it
leaves to graphql-core what it does not plan: mutations and subscriptions, `@defer` and
`@stream`, fragment arguments, resolver middleware, an abort signal, introspection.
tests/api/test_compiled_execution.py runs every contract operation (and generated documents)
through both executors and compares data and errors exactly."""

from api.compiled import plans
from api.compiled.executor import CompiledExecutor
from api.compiled.leaves import forget_completed
from api.compiled.memo import forget_memo

__all__ = ["CompiledExecutor", "plan_cache_clear"]


def plan_cache_clear() -> None:
    """Forget every plan and completed part (tests)."""
    plans.plan_cache_clear()
    forget_completed()
    forget_memo()
