"""Feed cards completed once (issue 22): a post card's public part — the post, its author's
chip, its topics, its circle, its images — is the same for every viewer until one of them
changes, so the compiled executor completes it once and hands every later request a copy,
running only the viewer's own fields (`viewerHasLiked`) anew (api.compiled.memo).

The key is the content itself, as this request read it: with the versions a page read with
its posts (domain.reads.CardVersions), the post's id, row version and isPinned, and the
author's, topics' and circle's ids and row versions (and today's level rules); without,
the post's plain values, the author's, topics' and circle's values of the fields the card
selects (and the author's level), the images. A like, an edit, a renamed topic, a new
nickname or a new level threshold is a new key on the very next request, in every process;
a post the viewer may no longer see is not on the page at all (the page's own query
decides). Nothing is invalidated because nothing can go stale. A whole page of such cards
is kept the same way (below: kept pages).

That holds only while what a card is completed from is no older than the versions keying
it: a row read before its version was, and changed in between, would be kept as the
changed row's card. So a version stands for a post only where it was read with the post's
row (a page read after its rows keys them by their values: domain.reads.card_versions), and
the relations of a page keyed by versions are loaded after them (api.post_pages.post_connection:
never a row the request loaded before, a profile's member or a circle feed's circle).

A card is kept only where all that is known without running it:

- every field of the post is a plain value, `images`, `author`, `topics`, `circle`, `poll`,
  `acceptedAnswer` or `viewerHasLiked`;
- under `author`, `topics` and `circle` every field is a plain value (a function of the row:
  `from_model` copies the model's attribute of the same name, tests/api/test_cards.py holds
  them to it) or the author's `level`;
- the relations' versions were read with the page, or the relations are already loaded (a
  page's look-ahead loads them: api.post_pages.post_connection);
- the post has no poll and no accepted answer when the card selects them (votes change a poll
  card every minute; those cards take the usual way).

Anything else — `viewerIsFollowing` on the author, a comment list — makes the plan one that is
completed the usual way, every time."""

from __future__ import annotations

from asyncio import Future
from collections.abc import Callable, Hashable
from functools import partial
from operator import attrgetter
from typing import Any

from strawberry.dataloader import DataLoader

from api.compiled import memo
from api.compiled.plans import Completer, FieldPlan, ObjectPlan, sub_plan
from api.posts import viewer_has_liked
from api.strawberry_internals import ExecutionContext
from domain.models import PostKind
from domain.reads import CardVersions

# Fields of a card run anew for each request, with the way to answer each without building
# its resolve info (api.compiled.memo.Direct).
VIEWER_FIELDS: dict[str, memo.Direct] = {"viewerHasLiked": viewer_has_liked}
# Relations whose selection may be kept: the type's plain values, plus these derived ones.
_RELATIONS = {"author": "User", "topics": "Topic", "circle": "Circle", "images": "Image"}
_DERIVED = {("User", "level")}
_MISSING: Any = object()
# A step of a card's key: its part, from (the Post, the request's context, the versions of
# the post's relations read with its page or None), or _MISSING when the card takes the
# usual way.
Step = Callable[[Any, Any, "CardVersions | None"], Any]


def register() -> None:
    memo.register("Post", _analyse_post)
    memo.register("PostConnection", _analyse_page)


def _object_completer(field: FieldPlan) -> Completer | None:
    completer = field.complete
    while completer.kind in ("non_null", "list"):
        assert completer.item is not None
        completer = completer.item
    return completer if completer.kind == "object" else None


def _values(plan: ObjectPlan) -> Callable[[Any], Any]:
    """What a plan's plain fields are completed from, as one hashable value."""
    attrs = [str(f.attr) for f in plan.fields if f.leaf]
    if not attrs:
        return lambda _: ()
    get = attrgetter(*attrs)
    return (lambda source: (get(source),)) if len(attrs) == 1 else get


def _analyse_post(executor: ExecutionContext, plan: ObjectPlan) -> memo.MemoPlan | None:
    viewer: list[tuple[FieldPlan, memo.Direct | None]] = []
    # one step per response key: an alias is a selection of its own (`a: author { nickname }
    # b: author { avatarUrl }` keys both)
    steps: list[Step] = [_post_step(_values(plan))]
    for field in plan.fields:
        if field.typename or field.leaf:
            continue
        name = field.name
        if name in VIEWER_FIELDS:
            viewer.append((field, VIEWER_FIELDS[name]))
            continue
        if name == "poll":  # kept only where null: votes change a poll card every minute
            steps.append(_no_poll)
            continue
        if name == "acceptedAnswer":
            steps.append(_no_accepted_answer)
            continue
        type_name = _RELATIONS.get(name)
        completer = _object_completer(field)
        if type_name is None or completer is None or completer.type.name != type_name:
            return None
        sub = sub_plan(executor, completer, completer.type, field)
        if not all(f.typename or f.leaf or (type_name, f.name) in _DERIVED for f in sub.fields):
            return None
        level = any((type_name, f.name) in _DERIVED for f in sub.fields)
        steps.append(_RELATION_STEPS[name](_values(sub), level))
    return memo.MemoPlan(partial(_key, tuple(steps)), tuple(viewer))


def _key(steps: tuple[Step, ...], source: Any, context: Any) -> Hashable | None:
    versions = context.loaders.card_versions.get(source.pk)
    parts = tuple(step(source, context, versions) for step in steps)
    if _MISSING in parts:
        return None
    if versions is not None and not isinstance(source, memo.StandIn):  # a stand-in was
        memo.note((source.pk, versions))
    return parts


# A page of cards kept whole (issue 22): a PostConnection whose edges select only their
# cursor and a kept card, and whose pageInfo only plain values, is completed once per
# content — its cards' keys, cursors and page info — and each request gets a copy with its
# own viewer's values in each card. Where one is not ready at once, or a card has no key,
# the page is completed the usual way (its cards still kept one by one).


def _analyse_page(executor: ExecutionContext, plan: ObjectPlan) -> memo.MemoPlan | None:
    edges, page_info = _only(plan, ("edges", "pageInfo"))
    if edges is None or edges is _MISSING or page_info is _MISSING or edges.attr is None:
        return None
    edge_plan = _sub(executor, edges)
    node = _only(edge_plan, ("node",), leaves=True)[0]
    if node is None or node is _MISSING or node.attr is None:
        return None
    cards = memo.memo_plan(executor, _sub(executor, node))
    if cards is None or cards.overlay is not None:
        return None
    info: tuple[str, Callable[[Any], Any]] | None = None
    if page_info is not None:
        info_plan = _sub(executor, page_info)
        if page_info.attr is None or not all(f.typename or f.leaf for f in info_plan.fields):
            return None
        info = (page_info.attr, _values(info_plan))
    key = partial(_page_key, cards.key, edges.attr, node.attr, _values(edge_plan), info)
    overlay = partial(_page_overlay, edges.attr, edges.key, node.attr, node.key, cards)
    return memo.MemoPlan(key, (), overlay, whole=True)


def _only(plan: ObjectPlan, names: tuple[str, ...], leaves: bool = False) -> list[Any]:
    """The plan's field of each name (None: not selected; _MISSING: selected twice, or a
    field of another name besides __typename and, with `leaves`, plain values)."""
    found: list[Any] = [None] * len(names)
    for field in plan.fields:
        if field.typename or (leaves and field.leaf):
            continue
        if field.name not in names:
            return [_MISSING] * len(names)
        at = names.index(field.name)
        found[at] = _MISSING if found[at] is not None else field
    return found


def _sub(executor: ExecutionContext, field: FieldPlan) -> ObjectPlan:
    completer = _object_completer(field)
    assert completer is not None
    return sub_plan(executor, completer, completer.type, field)


def _page_key(
    card_key: Callable[[Any, Any], Hashable | None],
    edges_attr: str,
    node_attr: str,
    edge_values: Callable[[Any], Any],
    info: tuple[str, Callable[[Any], Any]] | None,
    source: Any,
    context: Any,
) -> Hashable | None:
    cards = []
    for edge in getattr(source, edges_attr):
        card = card_key(getattr(edge, node_attr), context)
        if card is None:
            return None
        cards.append((edge_values(edge), card))
    return (tuple(cards), info[1](getattr(source, info[0])) if info is not None else ())


def _page_overlay(
    edges_attr: str,
    edges_key: str,
    node_attr: str,
    node_key: str,
    cards: memo.MemoPlan,
    kept: dict[str, Any],
    source: Any,
    context: Any,
) -> dict[str, Any] | None:
    edges = []
    for kept_edge, edge in zip(kept[edges_key], getattr(source, edges_attr), strict=True):
        node = getattr(edge, node_attr)
        card = kept_edge[node_key].copy()  # the kept page itself is never changed
        for field, direct in cards.viewer_fields:
            value = memo.direct_value(field, direct, node, context)
            if value is memo.NOT_READY:
                return None
            card[field.key] = value
        mine = kept_edge.copy()
        mine[node_key] = card
        edges.append(mine)
    page = kept.copy()
    page[edges_key] = edges
    return page


def _post_step(values: Callable[[Any], Any]) -> Step:
    # With the version read with the post's row, the row version is its plain values (and
    # its images), save isPinned, which the clock ends; a stand-in (api.post_pages.PostStandIn)
    # holds just these. A version read after the row (domain.reads.card_versions: None) may
    # be of an edit since: the row's own values key it.
    def step(source: Any, _: Any, versions: CardVersions | None) -> Any:
        if versions is not None and versions.post is not None:
            return (source.pk, versions.post, source.is_pinned)
        return values(source)

    return step


def _no_poll(source: Any, _: Any, __: Any) -> Any:
    return _MISSING if source.kind == PostKind.POLL else ()


def _no_accepted_answer(source: Any, _: Any, __: Any) -> Any:
    return _MISSING if source.accepted_answer_id is not None else ()


# With the versions of a card's relations (domain.reads.CardVersions), a relation's part is
# its row's id and version — equal versions are equal rows — and nothing need be loaded;
# without, it is the values of the loaded row.


def _author_step(values: Callable[[Any], Any], level: bool) -> Step:
    def step(source: Any, context: Any, versions: CardVersions | None) -> Any:
        if versions is not None:
            if versions.author is None:
                return _MISSING
            rules = context.runtime.rules.level_thresholds if level else None
            return (source.author_id, versions.author, rules)
        user = _loaded(context.loaders.user, source.author_id)
        if user is _MISSING or user is None:
            return _MISSING
        if level:
            return (values(user), context.runtime.rules.level_for(user.points))
        return values(user)

    return step


def _topics_step(values: Callable[[Any], Any], _: bool) -> Step:
    def step(source: Any, context: Any, versions: CardVersions | None) -> Any:
        if versions is not None:
            return versions.topics
        topics = _loaded(context.loaders.topics_of_post, source.pk)
        return _MISSING if topics is _MISSING else tuple(values(t) for t in topics)

    return step


def _circle_step(values: Callable[[Any], Any], _: bool) -> Step:
    def step(source: Any, context: Any, versions: CardVersions | None) -> Any:
        if source.circle_id is None:
            return None
        if versions is not None:
            return _MISSING if versions.circle is None else (source.circle_id, versions.circle)
        circle = _loaded(context.loaders.circle, source.circle_id)
        if circle is _MISSING:
            return _MISSING
        return values(circle) if circle is not None else None

    return step


def _images_step(values: Callable[[Any], Any], _: bool) -> Step:
    def step(source: Any, _: Any, versions: CardVersions | None) -> Any:
        if versions is not None and versions.post is not None:
            return ()  # in the post's row: its version says
        return tuple(values(i) for i in source.images)

    return step


_RELATION_STEPS: dict[str, Callable[[Callable[[Any], Any], bool], Step]] = {
    "author": _author_step,
    "topics": _topics_step,
    "circle": _circle_step,
    "images": _images_step,
}


def _loaded(loader: DataLoader[Any, Any], key: Any) -> Any:
    """What the request's loader already holds for `key`, or _MISSING."""
    future: Future[Any] | None = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception():
        return _MISSING
    return future.result()
