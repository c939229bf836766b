"""内容运营: featured posts; the pins in force (global and per circle) with the time each has
left, unpinning; collections (专题) — create, edit, add a post, reorder by dragging, delete;
trending topics with heat and their move since yesterday, and a refresh."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.responses import RedirectResponse, Response

from api.ids import to_global_id
from console.desk import Desk
from console.gql import GraphQLProblem, Outcome
from console.pages.calendar import json_answer
from console.pages.common import form_instant
from console.templating import age_text, parse_time

# What one page shows (within the API's query cost limit).
FEATURED_SHOWN = 20
TOPICS_SHOWN = 20
FIND_MAX = 50  # characters of a search for a post to pin or feature
SCOPES = ("GLOBAL", "CIRCLE")


def time_left(until: str | None, now: datetime, locale: str) -> str | None:
    """How long a pin has to run, in the desk's words; None for good."""
    moment = parse_time(until)
    if moment is None:
        return None
    return age_text((moment - now).total_seconds(), locale)


def rank_move(change: int | None) -> dict[str, Any]:
    """▲ up, ▼ down, – level, 新 when it was not on yesterday's board."""
    if change is None:
        return {"mark": "new", "n": 0}
    if change == 0:
        return {"mark": "same", "n": 0}
    return {"mark": "up" if change > 0 else "down", "n": abs(change)}


async def _found(desk: Desk, q: str) -> tuple[list[dict[str, Any]], list[GraphQLProblem]]:
    """The posts search finds for `q` (to pin or feature), none without a query."""
    if not q:
        return [], []
    outcome = await desk.run("CurationFind", q=q)
    edges = ((outcome.data or {}).get("search") or {}).get("edges") or []
    return [e["node"] for e in edges if e["node"]], outcome.problems


async def show(
    desk: Desk, problems: list[GraphQLProblem] | None = None, status: int = 200
) -> Response:
    outcome = await desk.run("CurationBoard", posts=FEATURED_SHOWN, topics=TOPICS_SHOWN)
    listed = await desk.run("CurationCollections")  # the first 12, 30 posts each
    q = desk.request.query_params.get("q", "").strip()[:FIND_MAX]
    found, refused = await _found(desk, q)
    board = {**(outcome.data or {}), **(listed.data or {})}
    now = datetime.now(UTC)
    pins = [
        {**p, "left": time_left(p["until"], now, desk.locale)}
        for p in board.get("pinnedPosts") or []
    ]
    collections = [
        {**e["node"], "posts": [p["node"] for p in e["node"]["posts"]["edges"]]}
        for e in ((board.get("collections") or {}).get("edges") or [])
    ]
    return desk.render(
        "curation.html",
        status=status,
        featured=[e["node"] for e in ((board.get("feed") or {}).get("edges") or [])],
        global_pins=[p for p in pins if p["scope"] == "GLOBAL"],
        circle_pins=[p for p in pins if p["scope"] == "CIRCLE"],
        collections=collections,
        trending=[
            {**t, "move": rank_move(t["rankChange"])} for t in board.get("trendingTopics") or []
        ],
        q=q,
        found=found,
        done=desk.request.query_params.get("done", ""),
        problems=(problems or []) + outcome.problems + listed.problems + refused,
    )


async def _after(desk: Desk, outcome: Outcome, done: str) -> Response:
    if not outcome.ok:
        return await show(desk, outcome.problems, 400)
    return RedirectResponse(f"/console/curation?done={done}", status_code=303)


async def _form(desk: Desk) -> dict[str, str]:
    form = await desk.request.form()
    return {k: str(v) for k, v in form.items() if k != "_csrf"}


async def unpin(desk: Desk) -> Response:
    form = await _form(desk)
    return await _after(
        desk, await desk.run("CurationUnpin", postId=form.get("postId", "")), "unpinned"
    )


async def unfeature(desk: Desk) -> Response:
    form = await _form(desk)
    outcome = await desk.run("CurationUnfeature", postId=form.get("postId", ""))
    return await _after(desk, outcome, "unfeatured")


async def pin(desk: Desk) -> Response:
    """Pin a post found above: on the whole community's feeds or its circle's, until a time
    on the community's clock (blank: until unpinned)."""
    form = await _form(desk)
    scope = form.get("scope", "")
    outcome = await desk.run(
        "CurationPin",
        postId=post_gid(form.get("postId", "")),
        scope=scope if scope in SCOPES else "GLOBAL",
        until=form_instant(desk, form.get("until", "")),
    )
    return await _after(desk, outcome, "pinned")


async def feature(desk: Desk) -> Response:
    form = await _form(desk)
    reason = form.get("reason", "").strip() or None
    outcome = await desk.run(
        "CurationFeature", postId=post_gid(form.get("postId", "")), reason=reason
    )
    return await _after(desk, outcome, "featured")


def _texts(form: dict[str, str]) -> dict[str, str]:
    return {
        "title": form.get("title", "").strip(),
        "description": form.get("description", "").strip(),
        "coverUrl": form.get("coverUrl", "").strip(),
    }


async def create_collection(desk: Desk) -> Response:
    form = await _form(desk)
    outcome = await desk.run("CurationCreateCollection", input=_texts(form))
    return await _after(desk, outcome, "created")


async def update_collection(desk: Desk) -> Response:
    form = await _form(desk)
    outcome = await desk.run("CurationUpdateCollection", id=form.get("id", ""), input=_texts(form))
    return await _after(desk, outcome, "saved")


def post_gid(typed: str) -> str:
    """A post as operators type it: its global ID, or its number."""
    typed = typed.strip()
    return to_global_id("Post", int(typed)) if typed.isdigit() and len(typed) < 19 else typed


async def add_to_collection(desk: Desk) -> Response:
    form = await _form(desk)
    outcome = await desk.run(
        "CurationAddToCollection",
        collectionId=form.get("collectionId", ""),
        postId=post_gid(form.get("postId", "")),
    )
    return await _after(desk, outcome, "added")


async def move(desk: Desk) -> Response:
    """A post dragged to `position` (0-based) in its collection."""
    form = await _form(desk)
    try:
        position = int(form.get("position", ""))
    except ValueError:
        position = -1
    if position < 0:
        return json_answer(desk, [GraphQLProblem("BAD_USER_INPUT", desk.t("cur.bad_position"))])
    outcome = await desk.run(
        "CurationMoveInCollection",
        collectionId=form.get("collectionId", ""),
        postId=form.get("postId", ""),
        position=position,
    )
    return json_answer(desk, outcome.problems, message=desk.t("cur.moved"))


async def delete_collection(desk: Desk) -> Response:
    form = await _form(desk)
    outcome = await desk.run("CurationDeleteCollection", id=form.get("id", ""))
    return await _after(desk, outcome, "deleted")


async def refresh_trending(desk: Desk) -> Response:
    return await _after(desk, await desk.run("CurationRefreshTrending"), "refreshing")
