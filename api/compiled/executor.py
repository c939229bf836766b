"""CompiledExecutor: graphql-core's executor running planned query operations."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, cast

from graphql import (
    GraphQLAbstractType,
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    is_non_null_type,
    located_error,
)
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_iterable

from api.compiled.kept import KeptObjects
from api.compiled.leaves import NOT_DONE, complete_leaf, plain_part
from api.compiled.memo import allow_stand_ins
from api.compiled.plans import (
    INT_MAX,
    INT_MIN,
    Completer,
    FieldPlan,
    ObjectPlan,
    plan_operation,
    sub_plan,
)
from api.strawberry_internals import is_awaitable


class CompiledExecutor(KeptObjects):
    """graphql-core's executor, running planned query operations (see the module's doc)."""

    # The schema's execution context class is chosen by api.schema.build_schema.

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = None if serially is not None else plan_operation(self)
        allow_stand_ins(self.context_value, plan is not None)
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
        plain = plain_part(plan, source) if plan.plain is not None else None
        try:
            for field in plan.fields:
                key = field.key
                if field.leaf:
                    if plain is not None:
                        results[key] = plain[key]
                        continue
                    done = complete_leaf(field, source)
                    if done is not NOT_DONE:
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
            if completer.int and type(result) is int and INT_MIN <= result <= INT_MAX:
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
        plan = sub_plan(self, completer, object_type, field)
        is_type_of = plan.is_type_of
        if is_type_of is not None:
            if plan.is_type_of_info:
                info = self._info(field, path, info)
            verdict = is_type_of(result, info)
            if is_awaitable(verdict):
                return self._complete_object_later(
                    cast(Awaitable[bool], verdict), plan, field, path, result
                )
            if not verdict:
                raise invalid_return_type_error(object_type, result, field.details)
        return self._object_fields(plan, result, path)

    async def _complete_object_later(
        self, verdict: Awaitable[bool], plan: ObjectPlan, field: FieldPlan, path: Path, result: Any
    ) -> Any:
        if not await verdict:
            raise invalid_return_type_error(plan.type, result, field.details)
        fields = self._object_fields(plan, result, path)
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
        if self.is_async_iterable(result):  # a stream: graphql-core's own way
            info = self._info(field, path, info)
            return self.complete_list_value(completer.type, field.details, info, path, result, None)
        if not is_iterable(result):
            raise GraphQLError(
                "Expected Iterable, but did not find one for field"
                f" '{field.parent_type}.{field.name}'."
            )
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
