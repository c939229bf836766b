"""Look-ahead: which fields a query selects on the nodes of a connection.

A page's relations (authors, topics, the viewer's likes...) are then loaded in one round by
the connection's resolver, before its cards resolve, and every card field answers from the
DataLoaders' cache without a coroutine. Per card and field, a coroutine and the task that
gathers it cost more than the field itself; a feed page has a hundred of them."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.types import Info

MEMO_SIZE = 1024

# Parsed documents are cached (ParserCache), so a query's field nodes are the same objects
# request after request: the answer is kept by node, with the node itself to rule out a
# reused id.
_memo: dict[int, tuple[FieldNode, frozenset[str]]] = {}


def _fields(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> Iterator[FieldNode]:
    """The fields of a selection set, fragments (named and inline) spread out."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from _fields(fragment.selection_set, fragments, seen | {name})


def node_fields(info: Info) -> frozenset[str]:
    """Names of the fields selected on `edges { node { … } }` of the connection being
    resolved (under any alias, in any fragment; @skip and @include are not evaluated, so
    this may say more than will be read, never less)."""
    raw = info._raw_info
    first = raw.field_nodes[0]
    hit = _memo.get(id(first))
    if hit is not None and hit[0] is first:
        return hit[1]
    names: set[str] = set()
    for connection in raw.field_nodes:
        for edges in _fields(connection.selection_set, raw.fragments):
            if edges.name.value != "edges":
                continue
            for node in _fields(edges.selection_set, raw.fragments):
                if node.name.value == "node":
                    names.update(f.name.value for f in _fields(node.selection_set, raw.fragments))
    answer = frozenset(names)
    if len(_memo) >= MEMO_SIZE:
        _memo.clear()
    _memo[id(first)] = (first, answer)
    return answer
