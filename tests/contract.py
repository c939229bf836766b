"""The client contract's own operations, by name, ready to send."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

CONTRACT_DIR = Path(__file__).parent / "contract"
SHARED_CONTRACT_DIR = Path(__file__).resolve().parents[2] / "shared" / "contract"


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def contract_files() -> list[Path]:
    """The contract (app.graphql, console.graphql) and the wave files vendored so far."""
    return sorted(CONTRACT_DIR.glob("*.graphql")) + sorted(CONTRACT_DIR.glob("wave*/*.graphql"))


@cache
def _definitions() -> tuple[dict[str, OperationDefinitionNode], dict[str, FragmentDefinitionNode]]:
    operations: dict[str, OperationDefinitionNode] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path in contract_files():
        for d in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(d, OperationDefinitionNode) and d.name:
                if d.name.value in operations:
                    raise ValueError(f"operation {d.name.value} is defined twice ({path.name})")
                operations[d.name.value] = d
            elif isinstance(d, FragmentDefinitionNode):
                fragments[d.name.value] = d
    return operations, fragments


def operation_names() -> list[str]:
    return sorted(_definitions()[0])


def operation_document(name: str) -> DocumentNode:
    """The named operation with exactly the fragments it uses."""
    operations, fragments = _definitions()
    op = operations[name]
    needed: list[FragmentDefinitionNode] = []
    queue = [op]
    seen: set[str] = set()
    while queue:
        visitor = _Spreads()
        visit(queue.pop(), visitor)
        for fragment_name in sorted(visitor.names - seen):
            seen.add(fragment_name)
            needed.append(fragments[fragment_name])
            queue.append(fragments[fragment_name])  # type: ignore[arg-type]
    return DocumentNode(definitions=(op, *needed))


def operation(name: str) -> str:
    return print_ast(operation_document(name))
