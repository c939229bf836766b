"""`quanzi persisted-manifest`: Apollo's persisted query manifest for the operations of
.graphql files, so a client built without Node (raw `wx.request`) registers one document per
operation, as Apollo's `@apollo/generate-persisted-query-manifest` writes them: each
operation with the fragments it spreads (transitively, by name), `__typename` added to every
selection set but the operation's root (what Apollo's cache adds to what it sends), printed,
and named by the sha256 of that text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

FORMAT = "apollo-persisted-query-manifest"


class _AddTypename(Visitor):
    def enter_selection_set(
        self, node: SelectionSetNode, key: object, parent: object, *_: object
    ) -> SelectionSetNode | None:
        if isinstance(parent, OperationDefinitionNode):
            return None
        if any(
            isinstance(s, FieldNode) and s.alias is None and s.name.value == "__typename"
            for s in node.selections
        ):
            return None
        typename = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
        return SelectionSetNode(selections=(*node.selections, typename))


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spread_names(node: OperationDefinitionNode | FragmentDefinitionNode) -> set[str]:
    spreads = _Spreads()
    visit(node, spreads)
    return spreads.names


def graphql_files(sources: Iterable[Path]) -> list[Path]:
    """The .graphql files named, and those under the directories named, in order."""
    files: list[Path] = []
    for source in sources:
        files += sorted(source.rglob("*.graphql")) if source.is_dir() else [source]
    return files


def build_manifest(files: Iterable[Path]) -> dict[str, Any]:
    """The manifest of every named operation in `files`; ValueError for an anonymous or
    twice-defined operation or fragment, or a spread of a fragment that is not there."""
    operations: dict[str, OperationDefinitionNode] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path in files:
        for definition in parse(path.read_text(encoding="utf-8"), no_location=True).definitions:
            if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
                if definition.name is None:
                    raise ValueError(f"{path}: an operation without a name")
                name = definition.name.value
                known = operations if isinstance(definition, OperationDefinitionNode) else fragments
                if name in known:
                    raise ValueError(f"{path}: {name} is defined twice")
                known[name] = definition  # type: ignore[assignment]
    entries = []
    for name, operation in operations.items():
        needed: dict[str, FragmentDefinitionNode] = {}
        pending = sorted(_spread_names(operation))
        while pending:
            fragment_name = pending.pop()
            if fragment_name in needed:
                continue
            if fragment_name not in fragments:
                raise ValueError(f"operation {name} spreads an unknown fragment {fragment_name}")
            needed[fragment_name] = fragments[fragment_name]
            pending += sorted(_spread_names(fragments[fragment_name]))
        document = DocumentNode(definitions=(operation, *(needed[n] for n in sorted(needed))))
        body = print_ast(visit(document, _AddTypename()))
        entries.append(
            {
                "id": hashlib.sha256(body.encode()).hexdigest(),
                "name": name,
                "type": operation.operation.value,
                "body": body,
            }
        )
    return {"format": FORMAT, "version": 1, "operations": entries}
