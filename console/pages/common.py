"""What several console pages share: member ids as typed, paging arguments, form times and
numbers, CSV downloads, and turning UTF-16 offsets (what the API and JavaScript count) into
highlighted text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.responses import Response

from api.ids import to_global_id
from console.desk import Desk
from domain.calendar import Calendar

# The most rows a CSV export pages through.
EXPORT_MAX = 10_000


def member_id(raw: str) -> str | None:
    """A member as staff type them: a global ID as the API gives it, or the number."""
    raw = raw.strip()
    if raw.isdigit() and len(raw) < 19:
        return to_global_id("User", int(raw))
    return raw or None


def community_calendar(desk: Desk) -> Calendar:
    """The community's clock, as the rules of the API behind the console keep it."""
    return desk.console.runtime(desk.request).rules.calendar


def local_instant(cal: Calendar, typed: str) -> str | None:
    """A `datetime-local` value (the community's clock) as an instant with its offset; None
    when it is not a date and time."""
    try:
        naive = datetime.fromisoformat(typed.strip())
    except ValueError:
        return None
    if naive.tzinfo is None:
        naive = naive.replace(tzinfo=cal.zone)
    return naive.isoformat()


def form_instant(desk: Desk, raw: str) -> str | None:
    """A form's time field for the API: blank is None; what is not a time goes as typed, for
    the API to refuse with its own message naming the field."""
    raw = raw.strip()
    if not raw:
        return None
    return local_instant(community_calendar(desk), raw) or raw


def form_number(raw: str) -> int | str | None:
    """A form's number field for the API: blank is None; what is not a whole number goes as
    typed, for the API to refuse naming the field."""
    raw = raw.strip()
    if not raw:
        return None
    return int(raw) if raw.lstrip("-").isdigit() else raw


def after(desk: Desk) -> str | None:
    return desk.request.query_params.get("after") or None


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV Excel opens as UTF-8 (with the byte order mark), one header row, CRLF lines."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(value: Any) -> str:
    text = str(value)
    # A cell that starts like a formula would run as one in Excel: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export_pages(desk: Desk, operation: str, root: str, **variables: Any) -> list[dict]:
    """Every node of a connection the operation reads, page after page, up to EXPORT_MAX."""
    nodes: list[dict] = []
    cursor: str | None = None
    while len(nodes) < EXPORT_MAX:
        outcome = await desk.run(operation, first=desk.console.page_max, after=cursor, **variables)
        page = (outcome.data or {}).get(root)
        if not page:
            break
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    return nodes[:EXPORT_MAX]


@dataclass(frozen=True)
class Segment:
    text: str
    level: str | None  # the matched word's level; None for text around matches


def _code_points(text: str) -> dict[int, int]:
    """Each UTF-16 code-unit offset that starts a character → that character's index (what
    Python slices by); the text's end included."""
    index_of: dict[int, int] = {}
    units = 0
    for i, char in enumerate(text):
        index_of[units] = i
        units += 2 if ord(char) > 0xFFFF else 1
    index_of[units] = len(text)
    return index_of


def utf16_slice(text: str, start: int, end: int) -> str:
    """text[start:end] with start and end counted in UTF-16 code units, as JavaScript does."""
    index_of = _code_points(text)
    if start not in index_of or end not in index_of:
        return ""
    return text[index_of[start] : index_of[end]]


def highlight(text: str, matches: Sequence[dict[str, Any]]) -> list[Segment]:
    """The text cut into plain and matched segments. Matches come as UTF-16 code-unit offsets
    (end exclusive); Python indexes code points, so every offset is mapped first. Overlapping
    matches keep the earliest."""
    index_of = _code_points(text)
    segments: list[Segment] = []
    position = 0
    for match in sorted(matches, key=lambda m: (m["start"], -m["end"])):
        start, end = index_of.get(match["start"]), index_of.get(match["end"])
        if start is None or end is None or start < position or end <= start:
            continue
        if start > position:
            segments.append(Segment(text[position:start], None))
        segments.append(Segment(text[start:end], match["level"]))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], None))
    return segments
