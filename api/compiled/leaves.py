"""Plain leaf fields completed inline, and the completed plain parts of objects kept by the
values they were completed from (api/compiled/__init__.py has the whole story)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from graphql.pyutils import Undefined

from api.compiled.plans import INT_MAX, INT_MIN, FieldPlan, ObjectPlan
from api.scalars import serialize_datetime
from api.strawberry_internals import is_awaitable

# Completed plain parts kept (ObjectPlan.plain).
COMPLETED_MAX = 20_000
# Types whose equal values (of one type) complete the same under any scalar. Not float
# (0.0 == -0.0), Decimal (1.1 == 1.10) or datetime (instants equal across offsets, unless
# the scalar writes the instant alone, as Quanzi's DateTime does: `_canonical`).
_CANONICAL = frozenset({str, int, bool, type(None), date})
_KINDS_MAX = 64

NOT_DONE = object()

# Completed plain parts by (plan's id, the values of its plain attributes, their types).
_completed: dict[tuple[int, Any, Any], dict[str, Any]] = {}


def plain_part(plan: ObjectPlan, source: Any) -> dict[str, Any] | None:
    """The completed plain fields of `source`, from `_completed` or completed now; None
    when one of them needs the long way (an error, an awaitable...) or its values may not
    stand for their completion (`_canonical`)."""
    assert plan.plain is not None and plan.plain_values is not None
    try:
        values = plan.plain_values(source)
        kinds = tuple(map(type, values))
        if kinds not in plan.kinds and not _canonical(plan, kinds):
            return None
        # True == 1 == 1.0 but a String writes them "true", "1" and "1.0": types in the key
        key = (plan.id, values, kinds)
        hit = _completed.get(key)
    except Exception:  # an attribute missing, a value not hashable: the long way
        return None
    if hit is not None:
        return hit
    part: dict[str, Any] = {}
    for field in plan.plain:
        done = complete_leaf(field, source)
        if done is NOT_DONE:
            return None
        part[field.key] = done
    if len(_completed) >= COMPLETED_MAX:
        _completed.clear()
    _completed[key] = part
    return part


def _canonical(plan: ObjectPlan, kinds: tuple[type, ...]) -> bool:
    """Whether values of these types, field by field, complete the same whenever they are
    equal (remembered on the plan)."""
    assert plan.plain is not None
    for field, kind in zip(plan.plain, kinds, strict=True):
        if kind in _CANONICAL or issubclass(kind, Enum):
            continue
        if kind is datetime and field.coerce is serialize_datetime:
            continue
        return False
    if len(plan.kinds) < _KINDS_MAX:
        plan.kinds.add(kinds)
    return True


def complete_leaf(field: FieldPlan, source: Any) -> Any:
    """A plain leaf field completed inline, or NOT_DONE when it needs the long way (which
    raises the error, or awaits the value, exactly as graphql-core does)."""
    try:
        value = getattr(source, field.attr)  # type: ignore[arg-type]
    except Exception:
        return NOT_DONE
    if value is None:
        return None if field.nullable else NOT_DONE
    kind = type(value)
    if kind is field.exact:
        return value
    if field.int and kind is int and INT_MIN <= value <= INT_MAX:
        return value
    if isinstance(value, Exception) or is_awaitable(value):
        return NOT_DONE
    try:
        coerced = field.coerce(value)  # type: ignore[misc]
    except Exception:
        return NOT_DONE
    if coerced is None or coerced is Undefined:
        return NOT_DONE
    return coerced


def forget_completed() -> None:
    """Forget every completed part (tests)."""
    _completed.clear()
