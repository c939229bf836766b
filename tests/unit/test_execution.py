"""The execution shortcuts of the hot path, without a server: look-ahead on a connection's
selection, resolvers called directly, awaitability remembered by type."""

from __future__ import annotations

import asyncio
import types
from types import SimpleNamespace

from graphql import FieldNode, OperationDefinitionNode, parse

from api.lookahead import node_fields
from api.schema import build_schema
from api.strawberry_internals import is_awaitable


def _info_for_root_field(document: str) -> SimpleNamespace:
    """What node_fields reads of a resolver's info, for the first root field of `document`."""
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if hasattr(d, "type_condition")}
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    raw = SimpleNamespace(field_nodes=[root], fragments=fragments, operation=operation)
    return SimpleNamespace(_raw_info=raw)


def test_look_ahead_sees_fields_through_fragments_aliases_and_inline_fragments() -> None:
    info = _info_for_root_field(
        """
        query {
          feed(kind: LATEST) {
            pageInfo { hasNextPage }
            edges { cursor node { ...Card ... on Post { writer: author { id } } } }
          }
        }
        fragment Card on Post { id topics { name } ...Deeper }
        fragment Deeper on Post { viewerHasLiked }
        """
    )
    assert node_fields(info) == {"id", "topics", "author", "viewerHasLiked"}  # type: ignore[arg-type]


def test_look_ahead_of_a_page_that_reads_no_relations_is_empty_of_them() -> None:
    info = _info_for_root_field("query { feed(kind: LATEST) { edges { cursor } } }")
    assert node_fields(info) == frozenset()  # type: ignore[arg-type]


def test_look_ahead_survives_a_fragment_that_spreads_itself() -> None:
    # Invalid (validation refuses the cycle before execution), but never a hang here.
    info = _info_for_root_field(
        "query { feed(kind: LATEST) { edges { node { ...A } } } } fragment A on Post { id ...A }"
    )
    assert node_fields(info) == {"id"}  # type: ignore[arg-type]


def test_remembered_awaitability_still_asks_each_generator() -> None:
    def plain() -> types.GeneratorType:
        yield 1

    @types.coroutine
    def old_style() -> types.GeneratorType:
        yield None

    async def native() -> None:
        return None

    assert not is_awaitable(plain())
    assert is_awaitable(old_style())  # a generator too, but a coroutine by its code's flag
    coroutine = native()
    assert is_awaitable(coroutine)
    coroutine.close()
    assert not is_awaitable(SimpleNamespace())
    assert not is_awaitable(SimpleNamespace())  # remembered, same answer


def test_direct_resolvers_only_where_strawberry_would_add_nothing() -> None:
    schema = build_schema(dev_login=False)._schema
    post = schema.type_map["Post"].fields  # type: ignore[union-attr]
    direct = post["author"].resolve
    assert direct is not None and direct.__qualname__.startswith("_direct")
    # Fields with arguments keep Strawberry's chain, which converts them.
    assert not post["comments"].resolve.__qualname__.startswith("_direct")  # type: ignore[union-attr]


def test_results_are_told_from_subscriptions_as_the_protocol_tells_them() -> None:
    """Strawberry's view asks of every result whether it streams: answered once per type
    (api.strawberry_internals.SubscriptionResults), the same as the protocol's own check."""
    from collections.abc import AsyncIterator

    from strawberry.http import async_base_view
    from strawberry.types import ExecutionResult, SubscriptionExecutionResult

    class Stream:
        def __aiter__(self) -> Stream:
            return self

        async def __anext__(self) -> int:
            raise StopAsyncIteration

    async def generator() -> AsyncIterator[int]:
        yield 1

    stream = generator()
    results: list[object] = [ExecutionResult(data={"a": 1}, errors=None), [], Stream(), stream]
    check = async_base_view.SubscriptionExecutionResult
    assert check is not SubscriptionExecutionResult
    for _ in range(2):  # the second time from what the first remembered
        assert [isinstance(r, check) for r in results] == [False, False, True, True]
        assert [isinstance(r, check) for r in results] == [
            isinstance(r, SubscriptionExecutionResult) for r in results
        ]
    asyncio.run(stream.aclose())  # type: ignore[attr-defined]
