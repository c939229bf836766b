"""Documents written to trip the compiled executor up (api/compiled/): the same field under
several aliases with other arguments, selections merged from fragments on interfaces and
unions, nested @skip/@include by variable and literal, one document run with other variable
values and by other viewers back to back, `__typename` everywhere, refused fields inside
lists. Each answer must be byte for byte the interpreter's (tests/api/test_compiled_execution.py
compares them the same way)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from graphql import DocumentNode, execute, parse

from api.compiled import CompiledExecutor, plan_cache_clear
from api.compiled import leaves as leaves_module
from api.strawberry_internals import ExecutionContext
from quanzi.bootstrap import Runtime
from tests.api.test_compiled_execution import _ask, _community, _compare, two_apps

__all__ = ["two_apps"]

FRAGMENTS = {
    "Card": "fragment Card on Post { id __typename title body likeCount createdAt kind status"
    " author { ...Chip } topics { name __typename } }",
    "Chip": "fragment Chip on User { id nickname avatarUrl level points role __typename }",
    "Named": "fragment Named on Node { __typename id ... on User { nickname } "
    "... on Topic { name } }",
}


def _document(operation: str) -> str:
    """The operation and the fragments it spreads."""
    used = [name for name in FRAGMENTS if f"...{name}" in operation]
    if "Card" in used and "Chip" not in used:
        used.append("Chip")
    return " ".join([operation, *(FRAGMENTS[name] for name in used)])


DOCUMENTS: list[tuple[str, list[dict[str, Any]]]] = [
    (
        # one field under aliases with other arguments, literal and by variable
        "query Q($kind: FeedKind!, $n: Int) { __typename "
        "a: feed(kind: LATEST, first: 1) { edges { node { ...Card } } } "
        "b: feed(kind: $kind, first: $n) { edges { cursor node { ...Card id likeCount } } "
        "pageInfo { hasNextPage __typename } } "
        "c: feed(kind: LATEST, first: $n) { edges { node { a: id b: id title: body body: title"
        " author { nickname: bio bio: nickname } } } } }",
        [
            {"kind": "LATEST", "n": 3},
            {"kind": "HOT", "n": 1},
            {"kind": "LATEST", "n": 0},
            {"kind": "QUESTIONS", "n": None},
            {"kind": "LATEST", "n": -1},
        ],
    ),
    (
        # selections merged from fragments and inline fragments on an interface
        "query Q($post: ID!, $user: ID!, $circle: ID!) { "
        "p: node(id: $post) { ...Named ...on Post { ...Card author { id bio } } "
        "... on Node { id } ... on Post { author { ...Chip followerCount } } } "
        "u: node(id: $user) { ...Named ... on User { ...Chip posts(first: 2) { edges { node { "
        "...Named ...Card } } } } } "
        "c: node(id: $circle) { ...Named __typename } "
        "x: node(id: $post) { ... on Comment { body } ... on User { bio } } }",
        [{}],
    ),
    (
        # a union, every member spread, and aliases inside the spreads
        "query Q($q: String!, $kind: SearchKind!) { search(query: $q, kind: $kind, first: 5) {"
        " edges { cursor node { __typename ... on Post { ...Card n: title } "
        "... on User { ...Chip n: nickname } ... on Topic { n: name name postCount heat "
        "__typename } ...Named } } } }",
        [
            {"q": "爬山", "kind": "POSTS"},
            {"q": "爬山", "kind": "TOPICS"},
            {"q": "小", "kind": "USERS"},
            {"q": "周末", "kind": "QUESTIONS"},
        ],
    ),
    (
        # @skip/@include nested, by variable and by literal, on fields, spreads and inline
        # fragments; the same document asked with every combination of values
        "query Q($a: Boolean!, $b: Boolean!) { feed(kind: LATEST, first: 3) @include(if: $a) {"
        " edges @skip(if: $b) { node { id @skip(if: $a) title @include(if: $b) "
        "...Card @skip(if: $b) ... @include(if: $b) { body author @skip(if: false) { id } } "
        "... on Post @include(if: true) { likeCount @include(if: $a) @skip(if: $b) } } } "
        "pageInfo @include(if: $b) { hasNextPage } } viewer @skip(if: $a) { id nickname "
        "level points } }",
        [
            {"a": True, "b": False},
            {"a": True, "b": True},
            {"a": False, "b": False},
            {"a": False, "b": True},
            {"a": True, "b": False},
        ],
    ),
    (
        # the viewer and its notifications: what only a member sees, nulls when anonymous
        "query Q($unread: Boolean) { viewer { __typename id nickname inviteCode invitedCount "
        "mutedUntil createdAt unreadNotificationCount user { ...Chip } } "
        "notifications(first: 5, unreadOnly: $unread) { edges { node { __typename id kind "
        "read text actorCount createdAt actor { ...Chip } post { ...Card } comment { id body "
        "author { ...Chip } } } } pageInfo { hasNextPage } } }",
        [{"unread": False}, {"unread": True}, {}],
    ),
    (
        # a @skip given null (its default is not): the request's error, not a crash
        "query Q($v: Boolean = true) { viewer @skip(if: $v) { id } feed(kind: LATEST, "
        "first: 1) { edges { node { id title @include(if: $v) } } } }",
        [{"v": False}, {"v": None}, {}],
    ),
    (
        # operators' fields inside lists and objects asked by everybody
        "{ feed(kind: LATEST, first: 3) { edges { node { id title status isPinned isFeatured "
        "comments(first: 2) { edges { node { id body createdAt author { ...Chip } "
        "replies(first: 1) { edges { node { id body } } } } } } } } } "
        "reviewQueue(stage: FIRST, first: 3) { totalCount edges { node { __typename } } } "
        "consoleOverview { __typename } pinnedPosts { __typename } }",
        [{}],
    ),
]


async def test_tricky_documents_answer_the_same_for_every_viewer(
    runtime: Runtime, two_apps: Any
) -> None:
    compiled, interpreted = two_apps
    seeded = await _community(runtime)
    ids = {"post": seeded["ids"]["post"], "user": seeded["ids"]["user"]}
    ids["circle"] = seeded["ids"]["circle"]
    differences: list[str] = []
    compared = 0
    for round_ in range(2):
        for query, variable_sets in DOCUMENTS:
            query = _document(query)
            used = {k: v for k, v in ids.items() if f"${k}" in query}
            if round_ == 0:  # the comparison is not of two validation errors
                answer = await _ask(
                    compiled, query, {**used, **variable_sets[0]}, seeded["tokens"]["operator"]
                )
                assert b'"data": {' in answer, answer[:300]
            for variables in variable_sets:
                for who, token in seeded["tokens"].items():
                    done, equal, why = await _compare(
                        compiled, interpreted, query, {**used, **variables}, token
                    )
                    compared += done
                    if not equal:
                        differences.append(f"round {round_} as {who} {variables}:\n{why}")
    assert differences == [], "\n\n".join(differences[:3])
    assert compared >= 100
    # cards' plain parts, with their DateTime (written in UTC alone), were kept
    assert any(datetime in kinds for _, _, kinds in leaves_module._completed)


# -- the memo of completed plain parts, on a schema of its own -----------------------------

ROWS: list[Any] = []


@strawberry.type
class Row:
    text: str
    number: float
    count: int
    at: datetime


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row]:
        return ROWS


def _row(text: object, number: float, count: object, at: datetime) -> Row:
    return Row(text=text, number=number, count=count, at=at)  # type: ignore[arg-type]


SCHEMA = strawberry.Schema(query=Query)._schema


def _run(document: DocumentNode, executor: type[Any]) -> str:
    result = execute(SCHEMA, document, executor_class=executor)
    assert not isinstance(result, dict) and not hasattr(result, "__await__")
    return json.dumps(result.formatted)  # type: ignore[union-attr]


EIGHT = timezone(timedelta(hours=8))
EQUAL_BUT_WRITTEN_OTHERWISE = [
    # a String given True, then 1, then 1.0: equal values, three texts
    (_row(True, 1.0, 1, datetime(2026, 1, 1, tzinfo=UTC)), "text"),
    (_row(1, 1.0, 1, datetime(2026, 1, 1, tzinfo=UTC)), "text"),
    (_row(1.0, 1.0, 1, datetime(2026, 1, 1, tzinfo=UTC)), "text"),
    (_row(Decimal("1.10"), 1.0, 1, datetime(2026, 1, 1, tzinfo=UTC)), "text"),
    (_row(Decimal("1.1"), 1.0, 1, datetime(2026, 1, 1, tzinfo=UTC)), "text"),
    # 0.0 == -0.0
    (_row("x", 0.0, 1, datetime(2026, 1, 1, tzinfo=UTC)), "number"),
    (_row("x", -0.0, 1, datetime(2026, 1, 1, tzinfo=UTC)), "number"),
    # one instant, two offsets: Strawberry's DateTime writes the offset
    (_row("x", 1.5, 1, datetime(2026, 1, 1, tzinfo=UTC)), "at"),
    (_row("x", 1.5, 1, datetime(2026, 1, 1, 8, tzinfo=EIGHT)), "at"),
    # an int given True
    (_row("x", 1.5, True, datetime(2026, 1, 1, tzinfo=UTC)), "count"),
]


@pytest.mark.parametrize("reverse", [False, True])
def test_equal_values_written_otherwise_are_not_taken_from_the_memo(reverse: bool) -> None:
    """The memo of plain parts is keyed by the values: one that is equal to another but
    completes otherwise (True == 1 == 1.0, 0.0 == -0.0, Decimal("1.1") == Decimal("1.10"),
    one instant at two offsets) must not be answered with the other's completion."""
    plan_cache_clear()
    document = parse("{ rows { text number count at } }")
    rows = [row for row, _ in EQUAL_BUT_WRITTEN_OTHERWISE]
    for row in reversed(rows) if reverse else rows:
        ROWS[:] = [row]
        assert _run(document, CompiledExecutor) == _run(document, ExecutionContext), row
    ROWS[:] = rows
    assert _run(document, CompiledExecutor) == _run(document, ExecutionContext)


def test_plain_parts_of_canonical_values_are_kept() -> None:
    """Strings, ints, booleans and enums (and Quanzi's DateTime, written in UTC) are kept."""
    plan_cache_clear()
    document = parse("{ rows { text count a: count b: text } }")
    ROWS[:] = [_row("x", 1.5, 1, datetime(2026, 1, 1, tzinfo=UTC)) for _ in range(3)]
    assert _run(document, CompiledExecutor) == _run(document, ExecutionContext)
    assert len(leaves_module._completed) == 1


def test_planning_errors_answer_as_graphql_core_does() -> None:
    """A @skip given null at the root, fragments nested past the recursion limit: errors of
    the request, as graphql-core answers them, not exceptions out of the executor."""
    plan_cache_clear()
    ROWS[:] = []
    for text in (
        "query Q($v: Boolean = true) { rows @skip(if: $v) { text } }",
        "{ ...F0 } "
        + " ".join(f"fragment F{i} on Query {{ __typename ...F{i + 1} }}" for i in range(1500))
        + " fragment F1500 on Query { __typename }",
    ):
        document = parse(text)
        answers = []
        for executor in (CompiledExecutor, ExecutionContext):
            variables = {"v": None} if "$v" in text else None
            result = execute(SCHEMA, document, variable_values=variables, executor_class=executor)
            answers.append(json.dumps(result.formatted))  # type: ignore[union-attr]
        assert answers[0] == answers[1]
        assert '"errors"' in answers[0]
