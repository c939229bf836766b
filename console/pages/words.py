"""敏感词: the list with level, hits and last hit; checking a text (what matches and where);
adding many words at a level, removing, exporting. Moderators read; operators change."""

from __future__ import annotations

import re

from starlette.responses import Response

from console.desk import Desk
from console.gql import GraphQLProblem
from console.pages.common import after, csv_download, export_pages, highlight, utf16_slice
from domain.models import Role

_LEVELS = ("BLOCK", "REVIEW")
_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


def _filters(desk: Desk) -> dict[str, str | None]:
    params = desk.request.query_params
    level = params.get("level") or None
    return {
        "level": level if level in _LEVELS else None,
        "query": params.get("q", "").strip() or None,
    }


async def show(desk: Desk) -> Response:
    filters = _filters(desk)
    outcome = await desk.run(
        "SensitiveWords", **filters, first=desk.console.page_max, after=after(desk)
    )
    return desk.render(
        "words.html",
        page=(outcome.data or {}).get("sensitiveWords"),
        level=filters["level"] or "",
        q=filters["query"] or "",
        levels=_LEVELS,
        may_edit=desk.allows(Role.OPERATOR),
        problems=outcome.problems,
    )


async def check(desk: Desk) -> Response:
    form = await desk.request.form()
    sample = str(form.get("text", ""))
    outcome = await desk.run("CheckText", text=sample)
    found = (outcome.data or {}).get("checkText")
    return desk.render(
        "word_check.html",
        status=200 if outcome.ok else 400,
        result=found,
        segments=highlight(sample, found["matches"]) if found else [],
        matches=[
            {**m, "found": utf16_slice(sample, m["start"], m["end"])}
            for m in (found["matches"] if found else ())
        ],
        problems=outcome.problems,
    )


async def add(desk: Desk) -> Response:
    form = await desk.request.form()
    words = [w.strip() for w in _SEPARATORS.split(str(form.get("words", ""))) if w.strip()]
    level = str(form.get("level", "REVIEW"))
    outcome = await desk.run("AddSensitiveWords", words=words, level=level)
    done = (outcome.data or {}).get("addSensitiveWords")
    message = desk.t("words.added_n", n=done["count"]) if done else None
    return await _changed(desk, outcome.ok, message, outcome.problems)


async def remove(desk: Desk) -> Response:
    form = await desk.request.form()
    words = [str(w) for w in form.getlist("word") if str(w).strip()]
    outcome = await desk.run("RemoveSensitiveWords", words=words)
    done = (outcome.data or {}).get("removeSensitiveWords")
    message = desk.t("words.removed_n", n=done["count"]) if done else None
    return await _changed(desk, outcome.ok, message, outcome.problems)


async def _changed(
    desk: Desk, ok: bool, message: str | None, problems: list[GraphQLProblem]
) -> Response:
    """What a change did, and the list as it is now (swapped in out of band)."""
    listed = await desk.run("SensitiveWords", first=desk.console.page_max)
    return desk.render(
        "words_changed.html",
        status=200 if ok else 400,
        message=message,
        problems=problems,
        page=(listed.data or {}).get("sensitiveWords"),
        may_edit=desk.allows(Role.OPERATOR),
    )


async def export(desk: Desk) -> Response:
    filters = _filters(desk)
    nodes = await export_pages(desk, "SensitiveWords", "sensitiveWords", **filters)
    return csv_download(
        "sensitive-words.csv",
        ["word", "level", "hit_count", "last_hit_at", "created_at"],
        ([n["word"], n["level"], n["hitCount"], n["lastHitAt"], n["createdAt"]] for n in nodes),
    )
