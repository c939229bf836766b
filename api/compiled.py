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
for its return type. `CompiledExecutor.execute_operation` runs that tree.

It follows graphql-core's executor step for step where behaviour shows — the same
resolvers called with the same `info`, the same errors with the same messages, locations and
paths, null propagation through non-null fields, `@disableErrorPropagation`, sibling
awaitables gathered together (DataLoaders batch as before) and settled on failure — and it
leaves to graphql-core what it does not plan: mutations and subscriptions, `@defer` and
`@stream`, fragment arguments, resolver middleware, an abort signal, introspection.
tests/api/test_compiled_execution.py runs every contract operation (and generated documents)
through both executors and compares data and errors exactly."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable
from operator import attrgetter
from typing import Any, cast

from graphql import (
    DirectiveNode,
    GraphQLAbstractType,
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
    located_error,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList, collect_fields, collect_subfields
from graphql.execution.executor import invalid_return_type_error, to_nodes
from graphql.execution.values import get_argument_values
from graphql.language import Visitor
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_iterable
from graphql.type import TypeNameMetaFieldDef
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from api.strawberry_internals import ExecutionContext, is_awaitable

PLAN_CACHE_SIZE = 1024
# Completed plain parts kept (ObjectPlan): objects with fewer plain fields than PLAIN_MIN are
# completed field by field.
COMPLETED_MAX = 50_000
PLAIN_MIN = 3
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

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
        self.exact = leaf.exact if self.leaf and leaf is not None else None
        self.int = self.leaf and leaf is not None and leaf.int
        self.coerce = leaf.type.coerce_output_value if self.leaf and leaf is not None else None


class ObjectPlan:
    """The fields to execute on a value of one object type under one selection.

    Its plain leaf fields (attributes of the object, completed by their type's coercion
    alone) are a pure function of those attributes' values: completed once, they are kept
    in `_completed` under those values and reused by every object and request that has the
    same ones — a card's public part is coerced once until the post changes, and the key is
    the content itself, so a change is a new key and nothing can be stale."""

    __slots__ = ("fields", "is_type_of", "plain", "plain_values", "type", "type_name")

    def __init__(self, object_type: GraphQLObjectType, fields: tuple[FieldPlan, ...]) -> None:
        self.type = object_type
        self.type_name = object_type.name
        self.fields = fields
        self.is_type_of = object_type.is_type_of
        plain = tuple(f for f in fields if f.leaf)
        self.plain = plain if len(plain) >= PLAIN_MIN else None
        self.plain_values = attrgetter(*(str(f.attr) for f in plain)) if self.plain else None


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
# hands out the same document, hence the same operation node, for the same text; the node is
# kept with its plan so that its id cannot be reused while the entry lives.
_Key = tuple[int, int, tuple[str, ...]]
_plans: OrderedDict[_Key, tuple[OperationDefinitionNode, OperationPlan | None]] = OrderedDict()
_directive_names: dict[int, tuple[OperationDefinitionNode, tuple[str, ...] | None]] = {}


class CompiledExecutor(ExecutionContext):
    """graphql-core's executor, running planned query operations (see the module's doc)."""

    # The schema's execution context class is chosen by api.schema.build_schema.

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = None if serially is not None else self._plan()
        if plan is None:
            return super().execute_operation(serially)
        self._argument_cache: dict[int, dict[str, Any]] = {}
        try:
            result = self._execute_fields(plan.root, self.root_value, None)
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.finish(self.build_response(None))
        if is_awaitable(result):
            return self._await_response(result)
        return self.finish(self.build_response(result))

    async def _await_response(self, result: Awaitable[dict[str, Any]]) -> Any:
        try:
            data = await result
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        except Exception:
            self.run_async_work_finished_hook()
            raise
        return self.build_response(data)

    # -- planning ------------------------------------------------------------------------

    def _plan(self) -> OperationPlan | None:
        operation = self.operation
        if (
            operation.operation is not OperationType.QUERY
            or self.abort_signal is not None
            or (self.middleware_manager is not None and self.middleware_manager.middlewares)
            or any(f.variable_signatures for f in self.fragments.values())
        ):
            return None
        names = self._directive_variables()
        if names is None:
            return None
        coerced = self.variable_values.coerced
        key = (id(self.schema), id(operation), tuple(repr(coerced.get(n)) for n in names))
        hit = _plans.get(key)
        if hit is not None and hit[0] is operation:
            _plans.move_to_end(key)
            return hit[1]
        try:
            plan: OperationPlan | None = OperationPlan(self._plan_root())
        except Unsupported:
            plan = None
        if len(_plans) >= PLAN_CACHE_SIZE:
            _plans.popitem(last=False)
        _plans[key] = (operation, plan)
        return plan

    def _directive_variables(self) -> tuple[str, ...] | None:
        """The variables deciding @skip/@include in this operation (None: not planned)."""
        operation = self.operation
        hit = _directive_names.get(id(operation))
        if hit is not None and hit[0] is operation:
            return hit[1]
        try:
            names: tuple[str, ...] | None = _directive_variables(
                [operation, *self.fragment_definitions.values()]
            )
        except Unsupported:
            names = None
        if len(_directive_names) >= PLAN_CACHE_SIZE:
            _directive_names.clear()
        _directive_names[id(operation)] = (operation, names)
        return names

    def _plan_root(self) -> ObjectPlan:
        schema: GraphQLSchema = self.schema
        root_type = schema.query_type
        if root_type is None:
            raise Unsupported("no query type")
        collected = collect_fields(
            schema,
            self.fragments,
            self.variable_values,
            root_type,
            self.operation,
            self.hide_suggestions,
        )
        for name in ("__schema", "__type"):
            if any(
                details[0].node.name.value == name
                for details in collected.grouped_field_set.values()
            ):
                raise Unsupported("introspection")
        return self._object_plan(root_type, collected.grouped_field_set)

    def _object_plan(
        self, object_type: GraphQLObjectType, grouped: dict[str, FieldDetailsList]
    ) -> ObjectPlan:
        fields: list[FieldPlan] = []
        for key, details in grouped.items():
            if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
                raise Unsupported("defer or fragment variables")
            name = details[0].node.name.value
            field_def = self.schema.get_field(object_type, name)
            if field_def is None:
                continue  # graphql-core skips an unknown field (Undefined)
            fields.append(
                FieldPlan(key, object_type, field_def, details, _completer(field_def.type))
            )
        return ObjectPlan(object_type, tuple(fields))

    def _sub_plan(
        self, completer: Completer, object_type: GraphQLObjectType, field: FieldPlan
    ) -> ObjectPlan:
        plan = completer.plans.get(object_type.name)
        if plan is None:
            collected = collect_subfields(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                object_type,
                field.details,
                self.hide_suggestions,
            )
            plan = self._object_plan(object_type, collected.grouped_field_set)
            completer.plans[object_type.name] = plan
        return plan

    # -- execution -----------------------------------------------------------------------

    def _arguments(self, field: FieldPlan) -> dict[str, Any]:
        if not field.args:
            return {}
        static = field.args_static
        if static is not None:
            return static
        cached = self._argument_cache.get(id(field))
        if cached is not None:
            return cached
        details = field.details[0]
        args = get_argument_values(
            field.field_def,
            details.node,
            self.variable_values,
            details.fragment_variable_values,
            self.hide_suggestions,
        )
        if field.variables:
            self._argument_cache[id(field)] = args
        else:
            field.args_static = args
        return args

    def _execute_fields(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        results: dict[str, Any] = {}
        pending: list[str] | None = None
        type_name = plan.type_name
        plain = self._plain_part(plan, source) if plan.plain is not None else None
        try:
            for field in plan.fields:
                key = field.key
                if field.leaf:
                    if plain is not None:
                        results[key] = plain[key]
                        continue
                    done = _leaf(field, source)
                    if done is not _NOT_DONE:
                        results[key] = done
                        continue
                elif field.typename:
                    results[key] = type_name
                    continue
                field_path = Path(path, key, type_name)
                result = self._execute_field(field, source, field_path)
                results[key] = result
                if is_awaitable(result):
                    if pending is None:
                        pending = [key]
                    else:
                        pending.append(key)
        except Exception:
            if pending:
                self.settle_in_background([results[key] for key in pending])
            raise
        if pending is None:
            return results
        return self._gather_fields(results, pending)

    @staticmethod
    def _plain_part(plan: ObjectPlan, source: Any) -> dict[str, Any] | None:
        """The completed plain fields of `source`, from `_completed` or completed now; None
        when one of them needs the long way (an error, an awaitable...)."""
        assert plan.plain is not None and plan.plain_values is not None
        try:
            key = (plan, plan.plain_values(source))
            hit = _completed.get(key)
        except Exception:  # an attribute missing, a value not hashable: the long way
            return None
        if hit is not None:
            return hit
        part: dict[str, Any] = {}
        for field in plan.plain:
            done = _leaf(field, source)
            if done is _NOT_DONE:
                return None
            part[field.key] = done
        if len(_completed) >= COMPLETED_MAX:
            _completed.clear()
        _completed[key] = part
        return part

    async def _gather_fields(self, results: dict[str, Any], pending: list[str]) -> Any:
        if len(pending) == 1:
            key = pending[0]
            results[key] = await results[key]
        else:
            values = await gather_with_cancel(*(results[key] for key in pending))
            results.update(zip(pending, values, strict=True))
        return results

    def _execute_field(self, field: FieldPlan, source: Any, path: Path) -> Any:
        try:
            attr = field.attr
            if attr is not None:
                result = getattr(source, attr)
                info = None
            else:
                info = self.build_resolve_info(
                    field.field_def, field.nodes, field.parent_type, path
                )
                resolve = field.resolve or self.field_resolver
                result = resolve(source, info, **self._arguments(field))
            if is_awaitable(result):
                return self._complete_awaitable(field, path, result, info)
            completed = self._complete(field.complete, field, path, result, info)
            if is_awaitable(completed):
                return self._await_completed(field, field.return_type, path, completed)
            return completed
        except Exception as raw_error:
            self._field_error(raw_error, field, field.return_type, path)
            return None

    async def _complete_awaitable(
        self, field: FieldPlan, path: Path, result: Awaitable[Any], info: Any
    ) -> Any:
        try:
            resolved = await result
            completed = self._complete(field.complete, field, path, resolved, info)
            if is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self._field_error(raw_error, field, field.return_type, path)
            completed = None
        return completed

    async def _await_completed(
        self, field: FieldPlan, return_type: GraphQLOutputType, path: Path, completed: Any
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self._field_error(raw_error, field, return_type, path)
            return None

    def _field_error(
        self,
        raw_error: Exception,
        field: FieldPlan,
        return_type: GraphQLOutputType,
        path: Path,
    ) -> None:
        error = located_error(raw_error, field.nodes, path.as_list())
        if self.error_propagation and is_non_null_type(return_type):
            raise error
        self.collected_errors.add(error, path)

    def _complete(
        self, completer: Completer, field: FieldPlan, path: Path, result: Any, info: Any
    ) -> Any:
        if isinstance(result, Exception):
            raise result
        kind = completer.kind
        if kind == "non_null":
            item = completer.item
            assert item is not None
            completed = self._complete(item, field, path, result, info)
            if completed is None:
                raise TypeError(
                    f"Cannot return null for non-nullable field {field.parent_type}.{field.name}."
                )
            return completed
        if result is None or result is Undefined:
            return None
        if kind == "leaf":
            exact = completer.exact
            if exact is not None and type(result) is exact:
                return result
            if completer.int and type(result) is int and _INT_MIN <= result <= _INT_MAX:
                return result
            coerced = completer.type.coerce_output_value(result)
            if coerced is Undefined or coerced is None:
                raise TypeError(
                    f"Expected `{inspect(completer.type)}.coerce_output_value("
                    f"{inspect(result)})` to return non-nullable value, returned:"
                    f" {inspect(coerced)}"
                )
            return coerced
        if kind == "object":
            return self._complete_object(completer, completer.type, field, path, result, info)
        if kind == "list":
            return self._complete_list(completer, field, path, result, info)
        return self._complete_abstract(completer, field, path, result, info)

    def _info(self, field: FieldPlan, path: Path, info: Any) -> Any:
        if info is None:
            info = self.build_resolve_info(field.field_def, field.nodes, field.parent_type, path)
        return info

    def _complete_object(
        self,
        completer: Completer,
        object_type: GraphQLObjectType,
        field: FieldPlan,
        path: Path,
        result: Any,
        info: Any,
    ) -> Any:
        plan = self._sub_plan(completer, object_type, field)
        is_type_of = plan.is_type_of
        if is_type_of is not None:
            verdict = is_type_of(result, self._info(field, path, info))
            if is_awaitable(verdict):
                return self._complete_object_later(
                    cast(Awaitable[bool], verdict), plan, field, path, result
                )
            if not verdict:
                raise invalid_return_type_error(object_type, result, field.details)
        return self._execute_fields(plan, result, path)

    async def _complete_object_later(
        self, verdict: Awaitable[bool], plan: ObjectPlan, field: FieldPlan, path: Path, result: Any
    ) -> Any:
        if not await verdict:
            raise invalid_return_type_error(plan.type, result, field.details)
        fields = self._execute_fields(plan, result, path)
        if is_awaitable(fields):
            return await fields
        return fields

    def _complete_abstract(
        self, completer: Completer, field: FieldPlan, path: Path, result: Any, info: Any
    ) -> Any:
        return_type: GraphQLAbstractType = completer.type
        info = self._info(field, path, info)
        resolve_type = return_type.resolve_type or self.type_resolver
        runtime_type = resolve_type(result, info, return_type)
        if is_awaitable(runtime_type):
            return self._complete_abstract_later(
                completer, field, path, result, info, cast(Awaitable[Any], runtime_type)
            )
        object_type = self.ensure_valid_runtime_type(
            runtime_type, return_type, field.details, info, result
        )
        return self._complete_object(completer, object_type, field, path, result, info)

    async def _complete_abstract_later(
        self,
        completer: Completer,
        field: FieldPlan,
        path: Path,
        result: Any,
        info: Any,
        runtime_type: Awaitable[Any],
    ) -> Any:
        object_type = self.ensure_valid_runtime_type(
            await runtime_type, completer.type, field.details, info, result
        )
        value = self._complete_object(completer, object_type, field, path, result, info)
        if is_awaitable(value):
            return await value
        return value

    def _complete_list(
        self, completer: Completer, field: FieldPlan, path: Path, result: Any, info: Any
    ) -> Any:
        if self.is_async_iterable(result) or not is_iterable(result):
            if not is_iterable(result):
                raise GraphQLError(
                    "Expected Iterable, but did not find one for field"
                    f" '{field.parent_type}.{field.name}'."
                )
            raise Unsupported("async iterable")  # pragma: no cover
        item = completer.item
        assert item is not None
        completed: list[Any] = []
        append = completed.append
        pending: list[int] | None = None
        index = 0
        try:
            for value in result:
                item_path = path.add_key(index, None)
                if is_awaitable(value):
                    append(self._complete_awaitable_item(item, field, item_path, value, info))
                    if pending is None:
                        pending = [index]
                    else:
                        pending.append(index)
                else:
                    try:
                        done = self._complete(item, field, item_path, value, info)
                        if is_awaitable(done):
                            append(self._await_completed(field, item.type, item_path, done))
                            if pending is None:
                                pending = [index]
                            else:
                                pending.append(index)
                        else:
                            append(done)
                    except Exception as raw_error:
                        self._field_error(raw_error, field, item.type, item_path)
                        append(None)
                index += 1
        except Exception:
            if pending:
                self.settle_in_background([completed[i] for i in pending])
            raise
        if pending is None:
            return completed
        return self._gather_items(completed, pending)

    async def _complete_awaitable_item(
        self, item: Completer, field: FieldPlan, path: Path, value: Awaitable[Any], info: Any
    ) -> Any:
        try:
            resolved = await value
            completed = self._complete(item, field, path, resolved, info)
            if is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self._field_error(raw_error, field, item.type, path)
            return None
        return completed

    async def _gather_items(self, completed: list[Any], pending: list[int]) -> list[Any]:
        if len(pending) == 1:
            index = pending[0]
            completed[index] = await completed[index]
        else:
            values = await gather_with_cancel(*(completed[i] for i in pending))
            for index, value in zip(pending, values, strict=True):
                completed[index] = value
        return completed


_NOT_DONE = object()


def _leaf(field: FieldPlan, source: Any) -> Any:
    """A plain leaf field completed inline, or _NOT_DONE when it needs the long way (which
    raises the error, or awaits the value, exactly as graphql-core does)."""
    try:
        value = getattr(source, field.attr)  # type: ignore[arg-type]
    except Exception:
        return _NOT_DONE
    if value is None:
        return None if field.nullable else _NOT_DONE
    kind = type(value)
    if kind is field.exact:
        return value
    if field.int and kind is int and _INT_MIN <= value <= _INT_MAX:
        return value
    if isinstance(value, Exception) or is_awaitable(value):
        return _NOT_DONE
    try:
        coerced = field.coerce(value)  # type: ignore[misc]
    except Exception:
        return _NOT_DONE
    if coerced is None or coerced is Undefined:
        return _NOT_DONE
    return coerced


# Completed plain parts by (plan, the values of its plain attributes).
_completed: dict[tuple[ObjectPlan, Any], dict[str, Any]] = {}


def plan_cache_clear() -> None:
    """Forget every plan (tests)."""
    _completed.clear()
    _plans.clear()
    _directive_names.clear()


__all__ = ["CompiledExecutor", "plan_cache_clear"]
