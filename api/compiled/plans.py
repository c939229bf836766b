"""Plans: what a query operation executes, per object type and selection, built once per
operation (api/compiled/__init__.py has the whole story)."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from operator import attrgetter
from typing import Any

from graphql import (
    DirectiveNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList, collect_fields, collect_subfields
from graphql.execution.executor import to_nodes
from graphql.language import Visitor
from graphql.type import TypeNameMetaFieldDef
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from api.compiled.memo import UNANALYSED
from api.documents import DOCUMENTS
from api.strawberry_internals import ExecutionContext as Executor

PLAN_CACHE_SIZE = 1024
# Objects with fewer plain fields than PLAIN_MIN are completed field by field
# (api.compiled.leaves).
PLAIN_MIN = 3
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

# Fast paths of the built-in scalars, for the values resolvers actually return; anything
# else goes through the type's own coercion (and its error).
_EXACT = {"String": str, "ID": str, "Boolean": bool}


class Unsupported(Exception):
    """The operation uses something the compiler leaves to graphql-core."""


class FieldPlan:
    """One response key of an object's selection."""

    __slots__ = (
        "args",
        "args_static",
        "attr",
        "coerce",
        "complete",
        "details",
        "exact",
        "field_def",
        "int",
        "key",
        "leaf",
        "name",
        "nodes",
        "nullable",
        "parent_type",
        "resolve",
        "return_type",
        "typename",
        "variables",
    )

    def __init__(
        self,
        key: str,
        parent_type: GraphQLObjectType,
        field_def: GraphQLField,
        details: FieldDetailsList,
        complete: Completer,
    ) -> None:
        self.key = key
        self.parent_type = parent_type
        self.field_def = field_def
        self.details = details
        self.nodes = to_nodes(details)
        self.return_type = field_def.type
        self.complete = complete
        self.typename = field_def is TypeNameMetaFieldDef
        self.attr = _plain_attribute(field_def)
        self.resolve = field_def.resolve
        node = details[0].node
        self.name = node.name.value
        self.args = bool(field_def.args or node.arguments)
        # Arguments written as literals are coerced once (on first use: coercion may
        # raise); with variables, once per request (CompiledExecutor._arguments).
        self.variables = self.args and _uses_variables(node)
        self.args_static: dict[str, Any] | None = None
        # A plain attribute of a leaf type is completed inline (CompiledExecutor.
        # _execute_fields) when its value needs no more than the type's coercion.
        leaf = complete.item if complete.kind == "non_null" else complete
        self.leaf = self.attr is not None and leaf is not None and leaf.kind == "leaf"
        self.nullable = complete.kind != "non_null"
        # the type a scalar field's ready value has (plain or not: api.compiled.memo's viewer
        # fields check theirs against it)
        self.exact = leaf.exact if leaf is not None and leaf.kind == "leaf" else None
        self.int = self.leaf and leaf is not None and leaf.int
        self.coerce = leaf.type.coerce_output_value if self.leaf and leaf is not None else None


_object_plan_ids = itertools.count()


class ObjectPlan:
    """The fields to execute on a value of one object type under one selection.

    Its plain leaf fields (attributes of the object, completed by their type's coercion
    alone) are a pure function of those attributes' values: completed once, they are kept
    in `_completed` under those values and reused by every object and request that has the
    same ones — a card's public part is coerced once until the post changes, and the key is
    the content itself, so a change is a new key and nothing can be stale."""

    __slots__ = (
        "fields",
        "id",
        "is_type_of",
        "is_type_of_info",
        "kinds",
        "memo",
        "plain",
        "plain_values",
        "type",
        "type_name",
    )

    def __init__(self, object_type: GraphQLObjectType, fields: tuple[FieldPlan, ...]) -> None:
        self.type = object_type
        self.type_name = object_type.name
        self.fields = fields
        # What the completed parts and kept objects are keyed by (api.compiled.leaves,
        # api.compiled.kept): never reused in the process, and holding nothing of the plan,
        # whose field nodes hold their document's every token (api/documents.py).
        self.id = next(_object_plan_ids)
        self.is_type_of = object_type.is_type_of
        # Strawberry's own is_type_of (for types with interfaces) never reads its info: it
        # is not built for it.
        self.is_type_of_info = "_get_is_type_of.<locals>" not in getattr(
            self.is_type_of, "__qualname__", ""
        )
        plain = tuple(f for f in fields if f.leaf)
        self.plain = plain if len(plain) >= PLAIN_MIN else None
        self.plain_values = attrgetter(*(str(f.attr) for f in plain)) if self.plain else None
        # the types of plain values seen to stand for their completion (leaves._canonical)
        self.kinds: set[tuple[type, ...]] = set()
        # whole objects completed once (api.compiled.memo), analysed on first use
        self.memo: Any = UNANALYSED


class Completer:
    """Completion of values of one output type under one selection (for objects: the
    selection of the field being completed, planned on first use)."""

    __slots__ = ("exact", "int", "item", "kind", "plans", "type")

    def __init__(self, kind: str, output_type: Any, item: Completer | None = None) -> None:
        self.kind = kind  # "non_null", "list", "leaf", "object", "abstract"
        self.type = output_type
        self.item = item
        self.exact: type | None = _EXACT.get(output_type.name) if kind == "leaf" else None
        self.int = kind == "leaf" and output_type.name == "Int"
        # object: the plan of this selection; abstract: a plan per runtime type name
        self.plans: dict[str, ObjectPlan] = {}


def _plain_attribute(field_def: GraphQLField) -> str | None:
    """The attribute a field reads when its resolver is Strawberry's basic getattr."""
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False):
        return None
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or field.base_resolver is not None:
        return None
    if field.default_resolver is not getattr:
        return None
    return field.python_name


def _uses_variables(node: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_variable(self, *_: object) -> None:
            nonlocal found
            found = True

    for argument in node.arguments or ():
        visit(argument, Finder())
    return found


def _completer(output_type: GraphQLOutputType) -> Completer:
    if is_non_null_type(output_type):
        assert isinstance(output_type, GraphQLNonNull)
        return Completer("non_null", output_type, _completer(output_type.of_type))
    if is_list_type(output_type):
        assert isinstance(output_type, GraphQLList)
        return Completer("list", output_type, _completer(output_type.of_type))
    if is_leaf_type(output_type):
        return Completer("leaf", output_type)
    if is_abstract_type(output_type):
        return Completer("abstract", output_type)
    if is_object_type(output_type):
        return Completer("object", output_type)
    raise Unsupported(f"output type {output_type}")  # pragma: no cover


class OperationPlan:
    __slots__ = ("root",)

    def __init__(self, root: ObjectPlan) -> None:
        self.root = root


def _directive_variables(nodes: list[Any]) -> tuple[str, ...]:
    """Variables that decide a @skip or @include anywhere in an operation and the document's
    fragments: a plan holds for one set of their values."""
    names: list[str] = []

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            if node.name.value in ("defer", "stream"):
                raise Unsupported("incremental delivery")
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    names.append(argument.value.name.value)

    for node in nodes:
        visit(node, Finder())
    return tuple(sorted(set(names)))


# Plans by (schema, operation, values of the @skip/@include variables). The parse cache
# hands out the same document, hence the same operation node, for the same text; the node and
# the schema are kept with the plan so that their ids cannot be reused while the entry lives.
_Key = tuple[int, int, tuple[str, ...]]
_Entry = tuple[OperationDefinitionNode, GraphQLSchema, "OperationPlan | None"]
_plans: OrderedDict[_Key, _Entry] = OrderedDict()
_directive_names: dict[int, tuple[OperationDefinitionNode, tuple[str, ...] | None]] = {}


# -- planning (from the executor's own state: schema, fragments, variables) -------------


def plan_operation(executor: Executor) -> OperationPlan | None:
    """The plan of the executor's operation (None: left to graphql-core)."""
    operation = executor.operation
    if (
        operation.operation is not OperationType.QUERY
        or executor.abort_signal is not None
        or (executor.middleware_manager is not None and executor.middleware_manager.middlewares)
        or any(f.variable_signatures for f in executor.fragments.values())
    ):
        return None
    names = _operation_directive_variables(executor)
    if names is None:
        return None
    coerced = executor.variable_values.coerced
    key = (id(executor.schema), id(operation), tuple(repr(coerced.get(n)) for n in names))
    hit = _plans.get(key)
    if hit is not None and hit[0] is operation and hit[1] is executor.schema:
        _plans.move_to_end(key)
        return hit[2]
    try:
        plan: OperationPlan | None = OperationPlan(_plan_root(executor))
    except (Unsupported, GraphQLError, RecursionError):
        # a @skip given null, fragments nested too deeply...: graphql-core's own answer
        plan = None
    if not DOCUMENTS.holds_node(operation):
        return plan  # kept only while its document is (api/documents.py)
    if len(_plans) >= PLAN_CACHE_SIZE:
        _plans.popitem(last=False)
    _plans[key] = (operation, executor.schema, plan)
    return plan


# (each entry begins with its operation)
DOCUMENTS.derived(_plans, lambda entry: entry[0])
DOCUMENTS.derived(_directive_names, lambda entry: entry[0])


def _operation_directive_variables(executor: Executor) -> tuple[str, ...] | None:
    """The variables deciding @skip/@include in this operation (None: not planned)."""
    operation = executor.operation
    hit = _directive_names.get(id(operation))
    if hit is not None and hit[0] is operation:
        return hit[1]
    try:
        names: tuple[str, ...] | None = _directive_variables(
            [operation, *executor.fragment_definitions.values()]
        )
    except Unsupported:
        names = None
    if not DOCUMENTS.holds_node(operation):
        return names  # kept only while its document is (api/documents.py)
    if len(_directive_names) >= PLAN_CACHE_SIZE:
        _directive_names.clear()
    _directive_names[id(operation)] = (operation, names)
    return names


def _plan_root(executor: Executor) -> ObjectPlan:
    schema: GraphQLSchema = executor.schema
    root_type = schema.query_type
    if root_type is None:
        raise Unsupported("no query type")
    collected = collect_fields(
        schema,
        executor.fragments,
        executor.variable_values,
        root_type,
        executor.operation,
        executor.hide_suggestions,
    )
    for name in ("__schema", "__type"):
        if any(
            details[0].node.name.value == name for details in collected.grouped_field_set.values()
        ):
            raise Unsupported("introspection")
    return _object_plan(executor, root_type, collected.grouped_field_set)


def _object_plan(
    executor: Executor, object_type: GraphQLObjectType, grouped: dict[str, FieldDetailsList]
) -> ObjectPlan:
    fields: list[FieldPlan] = []
    for key, details in grouped.items():
        if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
            raise Unsupported("defer or fragment variables")
        name = details[0].node.name.value
        field_def = executor.schema.get_field(object_type, name)
        if field_def is None:
            continue  # graphql-core skips an unknown field (Undefined)
        fields.append(FieldPlan(key, object_type, field_def, details, _completer(field_def.type)))
    return ObjectPlan(object_type, tuple(fields))


def sub_plan(
    executor: Executor, completer: Completer, object_type: GraphQLObjectType, field: FieldPlan
) -> ObjectPlan:
    plan = completer.plans.get(object_type.name)
    if plan is None:
        collected = collect_subfields(
            executor.schema,
            executor.fragments,
            executor.variable_values,
            executor.operation,
            object_type,
            field.details,
            executor.hide_suggestions,
        )
        plan = _object_plan(executor, object_type, collected.grouped_field_set)
        completer.plans[object_type.name] = plan
    return plan


def plan_cache_clear() -> None:
    """Forget every plan (tests; api.compiled.leaves forgets the completed parts)."""
    _plans.clear()
    _directive_names.clear()
