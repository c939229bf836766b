"""What a GraphQL document selects, read from its syntax tree: the one walker behind the
guards (breadth before validation; depth, aliases, cost during it), the look-ahead (the
fields read on a connection's nodes) and the rate limits (the root fields of an operation).

Named fragments and inline fragments are spread out, aliases are looked through (a field is
known by its name), and a fragment is entered once per path, so a cyclic document (which
validation refuses anyway) never hangs a walk. @skip and @include are not evaluated: a walk
may see more than will run, never less. Pure functions over graphql-core's nodes, no IO."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    get_operation_ast,
)

Fragments = Mapping[str, FragmentDefinitionNode]

PAGE_ARGUMENTS = ("first", "last")


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The document's named fragments by name."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def spread(
    selection_set: SelectionSetNode | None,
    fragments: Fragments,
    entered: frozenset[str] = frozenset(),
) -> Iterator[tuple[FieldNode, frozenset[str]]]:
    """Each field of a selection set, fragments spread out, with the fragments entered on
    the way to it (`entered` included): pass those on when walking into the field, so that a
    fragment that reaches itself through a field is not entered again. Unknown fragments
    are left out (validation reports them)."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection, entered
        elif isinstance(selection, InlineFragmentNode):
            yield from spread(selection.selection_set, fragments, entered)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in entered:
                yield from spread(fragment.selection_set, fragments, entered | {name})


def fields(selection_set: SelectionSetNode | None, fragments: Fragments) -> Iterator[FieldNode]:
    """The fields of a selection set, fragments spread out, once per occurrence."""
    return (field for field, _ in spread(selection_set, fragments))


def root_fields(document: DocumentNode, operation_name: str | None) -> list[str]:
    """The names of the root fields an operation selects, once per occurrence (an aliased
    field twice is two); empty when the document has no such operation."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    return [f.name.value for f in fields(operation.selection_set, fragments_of(document))]


def node_fields(connections: Iterable[FieldNode], fragments: Fragments) -> frozenset[str]:
    """The names of the fields selected on `edges { node { … } }` of these connection
    fields (the nodes of one field as graphql-core merges them)."""
    names: set[str] = set()
    for connection in connections:
        for edges in fields(connection.selection_set, fragments):
            if edges.name.value != "edges":
                continue
            for node in fields(edges.selection_set, fragments):
                if node.name.value == "node":
                    names.update(f.name.value for f in fields(node.selection_set, fragments))
    return frozenset(names)


@dataclass(frozen=True)
class Breadth:
    """How many fields a definition holds: see `breadth`."""

    fields: int
    widest: int


def breadth(selection_set: SelectionSetNode, fragments: Fragments, *, most: int) -> Breadth:
    """The fields of a selection set in all, at every level, once per occurrence (fragments
    spread, introspection included), and the most that one selection set holds. Counting
    stops a little past `most` fields, so a document that spreads fragments exponentially
    costs no more to refuse than one at the limit."""
    counted = 0
    widest = 0

    def walk(selection_set: SelectionSetNode | None, entered: frozenset[str]) -> None:
        nonlocal counted, widest
        width = 0
        for field, path in spread(selection_set, fragments, entered):
            counted += 1
            width += 1
            widest = max(widest, width)
            if counted > most:
                return
            walk(field.selection_set, path)
            if counted > most:
                return

    walk(selection_set, frozenset())
    return Breadth(fields=counted, widest=widest)


@dataclass(frozen=True)
class Size:
    """How much an operation asks for: see `measure`."""

    cost: int
    depth: int
    aliases: int


def measure(selection_set: SelectionSetNode, fragments: Fragments, page_max: int) -> Size:
    """Every field costs 1, and a field taking `first` (or `last`) multiplies its children's
    cost by that page size: the literal, capped at `page_max`, or `page_max` itself for a
    variable or the default, since that is the most it can be. Depth counts field levels;
    every alias counts once per occurrence. Introspection fields (`__…`) count nothing."""
    aliases = 0

    def walk(
        selection_set: SelectionSetNode | None, depth: int, entered: frozenset[str]
    ) -> tuple[int, int]:
        nonlocal aliases
        cost, deepest = 0, depth
        for field, path in spread(selection_set, fragments, entered):
            if field.name.value.startswith("__"):
                continue  # introspection: off in production, left alone in development
            if field.alias is not None:
                aliases += 1
            child_cost, child_depth = walk(field.selection_set, depth + 1, path)
            cost += 1 + page_size(field, page_max) * child_cost
            deepest = max(deepest, child_depth)
        return cost, deepest

    cost, depth = walk(selection_set, 0, frozenset())
    return Size(cost=cost, depth=depth, aliases=aliases)


def page_size(field: FieldNode, page_max: int) -> int:
    """The most items a field can answer: its page size, or 1 when it takes none."""
    for argument in field.arguments or ():
        if argument.name.value in PAGE_ARGUMENTS:
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(1, min(int(value.value), page_max))
            return page_max
    return 1
