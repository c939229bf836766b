"""The console's reads and writes: its own operation documents (console/operations/*.graphql),
run in-process through the app's schema with the signed-in staff member as the viewer, so the
API's role checks, guards and error codes are the console's too."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor
from starlette.requests import Request
from strawberry import Schema

from api.context import Context
from domain.models import User

OPERATIONS_DIR = Path(__file__).parent / "operations"


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


@cache
def _definitions() -> tuple[dict[str, OperationDefinitionNode], dict[str, FragmentDefinitionNode]]:
    operations: dict[str, OperationDefinitionNode] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        for d in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(d, OperationDefinitionNode) and d.name:
                if d.name.value in operations:
                    raise ValueError(f"operation {d.name.value} defined twice in {OPERATIONS_DIR}")
                operations[d.name.value] = d
            elif isinstance(d, FragmentDefinitionNode):
                fragments[d.name.value] = d
    return operations, fragments


def operation_names() -> list[str]:
    return sorted(_definitions()[0])


@cache
def document(name: str) -> str:
    """The text of the console's operation `name` with exactly the fragments it spreads."""
    operations, fragments = _definitions()
    needed: dict[str, FragmentDefinitionNode] = {}
    queue: list[OperationDefinitionNode | FragmentDefinitionNode] = [operations[name]]
    while queue:
        visitor = _Spreads()
        visit(queue.pop(), visitor)
        for spread in sorted(visitor.names - needed.keys()):
            needed[spread] = fragments[spread]
            queue.append(fragments[spread])
    parts = [operations[name], *(needed[n] for n in sorted(needed))]
    return "\n\n".join(print_ast(p) for p in parts)


@dataclass(frozen=True)
class GraphQLProblem:
    code: str
    message: str
    field: str | None = None


@dataclass
class Outcome:
    data: dict[str, Any] | None
    problems: list[GraphQLProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


async def execute(
    schema: Schema,
    request: Request,
    viewer: User,
    locale: str,
    name: str,
    variables: dict[str, Any] | None = None,
) -> Outcome:
    """Run one of the console's operations as `viewer` and return its data and errors (each
    with the API's code and its message in `locale`)."""
    context = Context(
        request=request,
        response=None,
        runtime=request.app.state.runtime,
        locale=locale,
        request_id=request.scope.get("state", {}).get("request_id", ""),
    ).for_operation(viewer)
    result = await schema.execute(
        document(name),
        variable_values=variables or {},
        context_value=context,
        operation_name=name,
    )
    problems = [
        GraphQLProblem(
            code=str((e.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")),
            message=e.message,
            field=(e.extensions or {}).get("field"),
        )
        for e in result.errors or ()
    ]
    return Outcome(data=result.data, problems=problems)
