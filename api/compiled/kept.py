"""KeptObjects: the part of the compiled executor that completes an object once per content
(api.compiled.memo) and hands each request a copy with the viewer's fields run anew, or
completes the real source behind a stand-in (memo.StandIn)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql.pyutils import Path

from api.compiled.memo import (
    NOT_READY,
    UNANALYSED,
    MemoPlan,
    StandIn,
    direct_value,
    keep,
    memo_plan,
    note_whole_page,
    recall,
)
from api.compiled.plans import FieldPlan, ObjectPlan
from api.strawberry_internals import ExecutionContext, is_awaitable


class KeptObjects(ExecutionContext):
    """Completion of objects by way of api.compiled.memo; CompiledExecutor runs fields."""

    def _execute_fields(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        raise NotImplementedError

    def _execute_field(self, field: FieldPlan, source: Any, path: Path) -> Any:
        raise NotImplementedError

    async def _gather_fields(self, results: dict[str, Any], pending: list[str]) -> Any:
        raise NotImplementedError

    def _object_fields(self, plan: ObjectPlan, source: Any, path: Path) -> Any:
        """The object's fields, completed once per content where its type says how to key it
        (api.compiled.memo): a copy of the kept part with the viewer's fields run anew."""
        memo = plan.memo
        if memo is UNANALYSED:
            memo = memo_plan(self, plan)
        if memo is None:
            return self._execute_source(plan, source, path)
        try:
            content = memo.key(source, self.context_value)
        except Exception:  # whatever went wrong, the usual way says it
            content = None
        if content is None:
            return self._execute_source(plan, source, path)
        key = (plan.id, content)
        hit = recall(key, memo.whole)
        if hit is not None:
            if memo.overlay is None:
                return self._overlay(plan, memo, hit, source, path)
            mine = memo.overlay(hit, source, self.context_value)
            if mine is not None:
                if memo.whole:
                    note_whole_page(self.context_value)
                return mine
            return self._execute_source(plan, source, path)
        errors = len(self.collected_errors.errors)
        completed = self._execute_source(plan, source, path)
        if is_awaitable(completed):
            return self._keep_later(key, completed, errors, memo.whole)
        if len(self.collected_errors.errors) == errors:
            keep(key, completed, memo.whole)
        return completed

    def _execute_source(self, plan: ObjectPlan, source: Any, path: Path) -> Any:
        """The object's fields the usual way, on the real source behind a stand-in."""
        if isinstance(source, StandIn):
            return self._execute_hydrated(plan, source, path)
        return self._execute_fields(plan, source, path)

    async def _execute_hydrated(self, plan: ObjectPlan, source: StandIn, path: Path) -> Any:
        real = await source.hydrate(self.context_value)
        completed = self._execute_fields(plan, real, path)
        if is_awaitable(completed):
            return await completed
        return completed

    async def _keep_later(
        self, key: Any, completed: Awaitable[Any], errors: int, whole: bool
    ) -> Any:
        done = await completed  # not kept after an error anywhere meanwhile, to be sure
        if len(self.collected_errors.errors) == errors:
            keep(key, done, whole)
        return done

    def _overlay(
        self, plan: ObjectPlan, memo: MemoPlan, kept: dict[str, Any], source: Any, path: Path
    ) -> Any:
        results = kept.copy()  # the kept part itself is never changed
        pending: list[str] = []
        try:
            for field, direct in memo.viewer_fields:
                key = field.key
                result = direct_value(field, direct, source, self.context_value)
                if result is NOT_READY:
                    result = self._execute_field(field, source, Path(path, key, plan.type_name))
                results[key] = result
                if is_awaitable(result):
                    pending.append(key)
        except Exception:
            if pending:
                self.settle_in_background([results[key] for key in pending])
            raise
        return self._gather_fields(results, pending) if pending else results
