"""Answers kept whole (issue 22): a known query whose only field is one page of a feed
(`feed(kind: LATEST | HOT | RECOMMENDED ...)`) is answered, when that page reads as it read
before, with the very bytes it was answered with then.

A kept page of cards (api/cards.py) is already completed once per content; what a request
still spent on it was the executor around it — the root field, the page's connection,
every card's key, the copies with the viewer's likes, the JSON. So such an operation reads
its page first (`read_feed_page`, the resolver's own way, with the cards' versions and as
heads), before anything executes, and keys the answer with what it read:

- the page as read (domain.pagination.PageSource): every column of every row its statement
  read — each post's head (its id, status, kind, times, pin, author, circle, accepted
  answer), its card's versions (the post's, its author's, its topics', its circle's row
  versions) and whether the viewer likes it — and what places them (the page's size; of a
  HOT or RECOMMENDED list, its name and the window of ids read), of which the cursors and
  where the next page starts are made. A row is told by its post's id and versions and
  the viewer's like (domain.reads.rows_key): the post's row version fixes its head. A page
  whose answer is kept is never made;
- the query's document and operation, the page asked for (kind, first, after), the viewer,
  the caller's language and today's level rules.

The resolver then takes that very page, made (`take_page`), so an answer is always kept under
what it was completed from; it is kept only where its page was a kept page with the viewer's
values put in (api.compiled.kept: `note_whole_page`), with no error. Whatever else such a
card shows is a function of those versions (api/cards.py says why), except `isPinned`,
which the clock ends: a kept answer lasts until the first pin on its page runs out.

Only an operation whose every variable is an argument of that field is kept: any other
would decide a `@skip` or `@include` further down, which the page does not say. And an
operation whose field did not take the page read ahead (it reads no versions: an anonymous
reader of plain fields) is not read ahead again.

So a like, an edit, a hidden post, a renamed author or topic, a member leaving a circle is
a different page read on the very next request, in every process: the page is read with
every request, and nothing kept is taken without it. What the request skips is the
executor and the encoding: an answer is kept as its JSON (`orjson.Fragment`).

Everything around the execution still runs as for any known operation (api/known_operations):
the bearer token and the member are checked (the page's statement may confirm the member:
domain.auth.SignInCheck), the variables, the rate limits, the metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    EnumValueNode,
    FieldNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    VariableNode,
    get_operation_ast,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.http import GraphQLRequestData

from api.documents import DOCUMENTS
from domain.pagination import Page, PageSource

# Answers kept, per process: each about the size of its JSON (a 26-card page: ~16 KB), and
# so many bytes of JSON at most: every `first` and `after` asked for is an answer of its
# own, each a copy, and a page of long posts is a megabyte (fifty bodies of 5,000 characters).
ANSWERS_MAX = 2_000
ANSWERS_BYTES_MAX = 32_000_000
KINDS = ("LATEST", "HOT", "RECOMMENDED")


@dataclass(frozen=True, slots=True)
class FeedAsk:
    """What an operation's one field asks: `feed(kind, first, after)`."""

    response_key: str
    kind: str
    first: int | None
    after: str | None


@dataclass(frozen=True, slots=True)
class _Plan:
    """How an operation's one `feed` field takes its arguments: each a variable's name or a
    literal value."""

    operation: OperationDefinitionNode
    response_key: str
    arguments: tuple[tuple[str, tuple[bool, Any]], ...]  # name -> (is a variable, name/value)


_plans: dict[tuple[int, str | None], tuple[DocumentNode, _Plan | None]] = {}


def _plan(document: DocumentNode, operation_name: str | None) -> _Plan | None:
    key = (id(document), operation_name)
    found = _plans.get(key)
    if found is not None and found[0] is document:
        return found[1]
    plan = _analyse(document, operation_name)
    if DOCUMENTS.holds(document):  # kept only while its document is (api/documents.py)
        _plans[key] = (document, plan)
    return plan


def _analyse(document: DocumentNode, operation_name: str | None) -> _Plan | None:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    selections = operation.selection_set.selections
    if (
        operation.operation is not OperationType.QUERY
        or operation.directives
        or len(selections) != 1
    ):
        return None
    field = selections[0]
    if not isinstance(field, FieldNode) or field.name.value != "feed" or field.directives:
        return None
    if any(v.default_value is not None for v in operation.variable_definitions or ()):
        return None  # a default's coercion is graphql-core's to do
    arguments: list[tuple[str, tuple[bool, Any]]] = []
    for argument in field.arguments or ():
        value = argument.value
        if isinstance(value, VariableNode):
            arguments.append((argument.name.value, (True, value.name.value)))
        elif isinstance(value, EnumValueNode | StringValueNode):
            arguments.append((argument.name.value, (False, value.value)))
        elif isinstance(value, IntValueNode):
            arguments.append((argument.name.value, (False, int(value.value))))
        elif isinstance(value, NullValueNode):
            arguments.append((argument.name.value, (False, None)))
        else:
            return None
    # A variable that is no argument of the field decides a @skip or @include further down
    # (the only other place one fits): the answer is no function of the page asked for.
    asked = {value for _, (is_variable, value) in arguments if is_variable}
    if any(v.variable.name.value not in asked for v in operation.variable_definitions or ()):
        return None
    key = field.alias.value if field.alias is not None else field.name.value
    return _Plan(operation, key, tuple(arguments))


DOCUMENTS.derived(_plans, lambda entry: entry[0])


def feed_ask(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> FeedAsk | None:
    """What the operation asks when it is one page of LATEST, HOT or RECOMMENDED with
    arguments of exactly their types; None for anything else (executed the usual way,
    where graphql-core coerces and refuses)."""
    plan = _plan(document, operation_name)
    if plan is None:
        return None
    values: dict[str, Any] = {"kind": None, "first": None, "after": None}
    for name, (is_variable, value) in plan.arguments:
        if name not in values:
            return None
        if is_variable:  # omitted: the argument is omitted, and these default to null
            value = variables.get(value) if variables is not None else None
        values[name] = value
    kind, first, after = values["kind"], values["first"], values["after"]
    if kind not in KINDS or not (first is None or type(first) is int):
        return None
    if not (after is None or type(after) is str):
        return None
    return FeedAsk(plan.response_key, kind, first, after)


# ------------------------------------------------------------------------ the page read


def _lasts_until(page: Page[Any], now: datetime) -> datetime | None:
    """When the first pin on the page runs out (isPinned changes then), if one does."""
    return min(
        (
            head.pinned_until
            for head in page.items
            if head.pin_scope is not None
            and head.pinned_until is not None
            and head.pinned_until > now
        ),
        default=None,
    )


@dataclass(slots=True)
class _Answer:
    document: DocumentNode
    schema: Any
    json: orjson.Fragment
    size: int  # of the JSON
    lasts_until: datetime | None


_answers: dict[Hashable, _Answer] = {}
DOCUMENTS.derived(_answers, lambda entry: entry.document)
# Bytes of the answers' JSON, counted as they are kept. One dropped with its document still
# counts until the store is next cleared: the budget can only be kept early, never overrun.
_bytes = 0


@dataclass(slots=True)
class ReadAhead:
    """A page read before the operation executes, for its resolver to take (`take_page`),
    and what keys the answer completed from it."""

    ask: FeedAsk
    source: PageSource[Any]
    key: Hashable
    read_at: datetime
    operation: tuple[int, str | None, bool]  # _untaken's key
    taken: bool = False


# Operations whose feed field did not take the page read ahead, by whether the reader is
# anonymous: it reads no versions (an anonymous reader of plain fields) or runs no compiled
# plan. Their pages are not read ahead again (a second read for nothing).
_untaken: dict[tuple[int, str | None, bool], DocumentNode] = {}
DOCUMENTS.derived(_untaken, lambda document: document)

# How a page is read ahead: api/feeds.py registers the feed field's own way.
Reader = Callable[[Any, FeedAsk], Awaitable[PageSource[Any]]]
_reader: list[Reader] = []


def register_reader(reader: Reader) -> None:
    _reader[:] = [reader]


async def read_ahead(
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Any,
) -> ReadAhead | None:
    """The page an operation that is one page of a feed asks for, read now as its resolver
    reads it under a compiled plan; None for any other operation, a bearer token refused
    (the usual way says so), or a page that does not read (the usual way raises it where it
    belongs). Read once per request: again, the page already read.

    A sign-in left to confirm (api.context.Context.authenticate) is confirmed by the page's
    statement, or else checked with its own; a page read as a member not confirmed is not
    kept, and the request goes on signed in as the check found (read again, or refused)."""
    done: ReadAhead | None = context.read_ahead
    if done is not None and done.operation[:2] == (id(document), operation_name):
        return done
    ask = feed_ask(document, operation_name, variables)
    if ask is None or not _reader:
        return None
    sign_in = context.sign_in_to_confirm()
    viewer = context.known_viewer()
    if context.bearer is not None and viewer is None and sign_in is None:
        return None
    untaken = (id(document), operation_name, viewer is None and sign_in is None)
    if _untaken.get(untaken) is document:
        return None
    read_at = datetime.now(UTC)
    try:
        source = await _reader[0](context, ask)
    except Exception:
        return None
    if sign_in is not None:
        await context.confirm_sign_in()
        if not sign_in.confirmed or context.known_viewer() is None:
            return None
    content = source.content
    if content is None:
        return None
    key = _key(document, operation_name, ask, context, content)
    read = ReadAhead(ask, source, key, read_at, untaken)
    context.read_ahead = read
    return read


async def confirm_sign_in(schema: Any, request: GraphQLRequestData, context: Any) -> None:
    """Confirm the sign-in the request's context left to confirm (api.context.Context.
    authenticate) by the statement of the page a known feed operation reads ahead: one
    statement for both, read only where the variables are the field's arguments of their
    types (feed_ask). Such an operation has no rate limit to count (its one field, `feed`,
    is in no class); its variables are refused, where they are, when it runs (run_known),
    the page read ahead then unused. Where no page confirms the sign-in, the context checks
    it with its own statement when next asked."""
    if context.sign_in_to_confirm() is None or not getattr(schema, "kept_answers", False):
        return
    known = schema.known(request.query, request.operation_name)
    if known is not None:
        await read_ahead(known.document, known.operation_name, request.variables, context)


def _key(
    document: DocumentNode, operation_name: str | None, ask: FeedAsk, context: Any, content: Any
) -> Hashable:
    viewer = context.known_viewer()
    rules = context.runtime.rules.level_thresholds
    return (
        id(document),
        operation_name,
        ask,
        viewer.id if viewer is not None else None,
        context.locale,
        rules,
        content,
    )


def recall(schema: Any, document: DocumentNode, read: ReadAhead) -> GraphQLExecutionResult | None:
    """The answer kept for the page just read, if one is and still lasts."""
    kept = _answers.get(read.key)
    if kept is None or kept.document is not document or kept.schema is not schema:
        return None
    if kept.lasts_until is not None and datetime.now(UTC) >= kept.lasts_until:
        _drop(read.key)
        return None
    return GraphQLExecutionResult(data=kept.json)  # type: ignore[arg-type]


def take_page(context: Any, kind: str, first: int | None, after: str | None) -> Page[Any] | None:
    """The page this operation read before executing, for its feed field asking for it
    (read as heads with their versions); None otherwise. Taken once."""
    read: ReadAhead | None = getattr(context, "read_ahead", None)
    if read is None or read.taken:
        return None
    ask = read.ask
    if (ask.kind, ask.first, ask.after) != (kind, first, after):
        return None
    read.taken = True
    return read.source.page()


def keep(
    schema: Any,
    document: DocumentNode,
    read: ReadAhead,
    result: GraphQLExecutionResult,
    context: Any,
) -> None:
    """Keep the answer completed from the page read, where it is a kept page's copy with the
    viewer's values (the module's doc) and nothing went wrong."""
    if not read.taken and not result.errors and DOCUMENTS.holds(document):
        _untaken[read.operation] = document
    if result.errors or not read.taken or getattr(context, "whole_pages", 0) != 1:
        return
    data = result.data
    if not isinstance(data, dict) or list(data) != [read.ask.response_key]:
        return
    try:
        json = orjson.dumps(data)
    except TypeError:  # what orjson refuses the view's encoder writes another way: not kept
        return
    if len(json) > ANSWERS_BYTES_MAX:
        return
    global _bytes
    _drop(read.key)
    if len(_answers) >= ANSWERS_MAX or _bytes + len(json) > ANSWERS_BYTES_MAX:
        forget_answers()
    _bytes += len(json)
    _answers[read.key] = _Answer(
        document,
        schema,
        orjson.Fragment(json),
        len(json),
        _lasts_until(read.source.page(), read.read_at),
    )


def _drop(key: Hashable) -> None:
    global _bytes
    kept = _answers.pop(key, None)
    if kept is not None:
        _bytes -= kept.size


def forget_answers() -> None:
    """Forget every kept answer (when the store is full; tests, to start from none)."""
    global _bytes
    _answers.clear()
    _bytes = 0
