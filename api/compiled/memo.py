"""Whole objects completed once: a type may declare (`register`) how to key the completion of
its values under a plan by the content they were completed from, and which of its fields
depend on the viewer. The compiled executor then completes such an object once per key and
reuses the completed part — for every viewer and request — re-executing only the viewer's
fields on a copy (a feed card's `viewerHasLiked`; api/cards.py has the story).

A key is computed on every request from what that request loaded (the rows themselves, never
a cached copy of them), so a change is a new key: nothing kept here can be stale."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.compiled.plans import FieldPlan, ObjectPlan
    from api.strawberry_internals import ExecutionContext

# Completed objects kept (all types): about 2 KB each, and so many characters of text at
# most: a card of a long post holds 5,000, and 20,000 of them would be ~300 MB a process.
MEMO_MAX = 20_000
MEMO_TEXT_MAX = 32_000_000
# Whole pages kept (MemoPlan.whole: api/cards.py's kept pages), about 40 KB each: few, in a
# store of their own, so that every member's own RECOMMENDED pages cannot fill the memory.
PAGES_MAX = 500
# ObjectPlan.memo before its first analysis; what a Direct way could not answer.
UNANALYSED: Any = object()
NOT_READY: Any = object()


# A viewer field's value from (source, context) without building its resolve info; what is
# not a ready value of the field's exact type (FieldPlan.exact: not an awaitable, not an
# error) makes the executor run the field the usual way instead.
Direct = Callable[[Any, Any], Any]


# A kept object's copy for this request with the viewer's values in it, from (the kept
# completion, source, context); None where a viewer's value is not ready at once (the
# object is then completed the usual way).
Overlay = Callable[[dict[str, Any], Any, Any], "dict[str, Any] | None"]


class MemoPlan:
    """How the objects of one plan are memoised: `key(source, context)` (None: this one is
    completed the usual way) and the fields executed anew for each request, each with its
    `Direct` way if it has one — or, for viewer's values deeper down (a page of cards), an
    `overlay` that puts them into a copy."""

    __slots__ = ("key", "overlay", "viewer_fields", "whole")

    def __init__(
        self,
        key: Callable[[Any, Any], Hashable | None],
        viewer_fields: tuple[tuple[FieldPlan, Direct | None], ...],
        overlay: Overlay | None = None,
        whole: bool = False,
    ) -> None:
        self.key = key
        self.viewer_fields = viewer_fields
        self.overlay = overlay
        self.whole = whole  # a page of objects: kept among the few (PAGES_MAX)


# type name -> what decides, for a plan of that type, whether and how it is memoised
Analyser = Callable[["ExecutionContext", "ObjectPlan"], "MemoPlan | None"]
_analysers: dict[str, Analyser] = {}
_completed: dict[Hashable, dict[str, Any]] = {}
_text = 0  # characters of text in _completed (kept counts them)


def register(type_name: str, analyse: Analyser) -> None:
    """Memoise objects of `type_name` under the plans `analyse` accepts."""
    _analysers[type_name] = analyse


def memo_plan(executor: ExecutionContext, plan: ObjectPlan) -> MemoPlan | None:
    """The plan's MemoPlan (analysed once per plan), or None."""
    memo = plan.memo
    if memo is UNANALYSED:
        analyse = _analysers.get(plan.type_name)
        memo = plan.memo = analyse(executor, plan) if analyse is not None else None
    return memo


def direct_value(field: FieldPlan, direct: Direct | None, source: Any, context: Any) -> Any:
    """A viewer field's value the direct way, or NOT_READY."""
    if direct is None:
        return NOT_READY
    try:
        value = direct(source, context)
    except Exception:  # the usual way raises it where it belongs
        return NOT_READY
    if field.exact is not None and type(value) is field.exact:
        return value
    close = getattr(value, "close", None)
    if close is not None:
        close()  # a coroutine never started
    return NOT_READY


_pages: dict[Hashable, dict[str, Any]] = {}


def recall(key: Hashable, whole: bool = False) -> dict[str, Any] | None:
    return (_pages if whole else _completed).get(key)


def keep(key: Hashable, completed: dict[str, Any], whole: bool = False) -> None:
    global _text
    if whole:  # a page's text is its cards', kept (and counted) among the completed objects
        if len(_pages) >= PAGES_MAX:
            _pages.clear()
        _pages[key] = completed
        return
    text = 0 if key in _completed else _text_of(completed)
    if len(_completed) >= MEMO_MAX or _text + text > MEMO_TEXT_MAX:
        _completed.clear()
        _text = 0
    _completed[key] = completed
    _text += text


def _text_of(value: Any) -> int:
    """The characters of the strings in a completed object."""
    kind = type(value)
    if kind is str:
        return len(value)
    if kind is dict:
        return sum(_text_of(v) for v in value.values())
    if kind is list:
        return sum(_text_of(v) for v in value)
    return 0


class StandIn:
    """A source standing in for one whose completed object is likely kept: it holds what
    the key and the viewer's fields read, not the rest. A list's resolver hands one out only
    under a compiled plan (`allows_stand_ins`), and only for what `seen` says was keyed; where
    the kept object is not found after all (another plan, forgotten since) or the plan keeps
    nothing, the executor completes `await hydrate(context)`, the real source, instead."""

    __slots__ = ()

    async def hydrate(self, context: Any) -> Any:
        raise NotImplementedError


def allow_stand_ins(context: Any, allowed: bool) -> None:
    """Mark an operation's context as run by a compiled plan (which completes StandIns), or
    not (graphql-core's own way, which does not)."""
    if hasattr(context, "stand_ins"):
        context.stand_ins = allowed


def note_whole_page(context: Any) -> None:
    """A kept page was completed for this operation as a copy with the viewer's values
    (api/kept_answers.py counts them)."""
    if hasattr(context, "whole_pages"):
        context.whole_pages += 1


def allows_stand_ins(context: Any) -> bool:
    return getattr(context, "stand_ins", False) is True


# Sources recently keyed by their versions (api/cards.py): a page need not load the
# relations of those (api.post_pages.post_connection); only a guess, a miss loads them after all.
_seen: dict[Hashable, None] = {}


def note(source: Hashable) -> None:
    if len(_seen) >= MEMO_MAX:
        _seen.clear()
    _seen[source] = None


def seen(source: Hashable) -> bool:
    return source in _seen


def forget_memo() -> None:
    """Forget every completed object (tests)."""
    global _text
    _completed.clear()
    _pages.clear()
    _seen.clear()
    _text = 0
