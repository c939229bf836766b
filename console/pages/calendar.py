"""内容日历: a month or a week of what operators put out (scheduled and published posts, pin
windows, feature dates, events, collection launches) from contentCalendar; overlapping
global pins flagged; writing a post to publish later, moving it to another day by dragging
(its time of day kept), calling it off. Times are typed and shown on the community's clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.responses import JSONResponse, RedirectResponse, Response

from console.desk import Desk
from console.gql import GraphQLProblem
from console.pages.common import community_calendar, local_instant
from console.templating import parse_time
from domain.calendar import Calendar

KINDS = ("SCHEDULED_POST", "PUBLISHED_POST", "PIN", "FEATURE", "EVENT", "COLLECTION")
VIEWS = ("month", "week")
TOPICS_MAX = 5


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    items: list[dict[str, Any]] = field(default_factory=list)


def _anchor(desk: Desk, today: date) -> tuple[str, date]:
    params = desk.request.query_params
    view = params.get("view", "")
    view = view if view in VIEWS else "month"
    try:
        anchor = date.fromisoformat(params.get("d", ""))
    except ValueError:
        anchor = today
    return view, anchor


def span(view: str, anchor: date) -> tuple[date, date]:
    """The days shown, Monday to Sunday: the anchor's week, or its month's weeks."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    first = anchor.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def _shifted(view: str, anchor: date, step: int) -> date:
    if view == "week":
        return anchor + timedelta(days=7 * step)
    month = anchor.month - 1 + step
    return date(anchor.year + month // 12, month % 12 + 1, 1)


def overlapping_global_pins(items: list[dict[str, Any]]) -> set[str]:
    """The ids of GLOBAL pins whose windows overlap another's (an open end runs for good)."""
    forever = datetime.max.replace(tzinfo=UTC)
    pins = [
        (parse_time(i["startsAt"]), parse_time(i["endsAt"]) or forever, i["id"])
        for i in items
        if i["kind"] == "PIN" and i.get("pinScope") == "GLOBAL"
    ]
    flagged: set[str] = set()
    for n, (start, end, pin) in enumerate(pins):
        for other_start, other_end, other in pins[n + 1 :]:
            if start < other_end and other_start < end:  # type: ignore[operator]
                flagged |= {pin, other}
    return flagged


def href_of(item: dict[str, Any]) -> str | None:
    """Where an item's chip leads: its event, or the curation section that runs its pin,
    feature or collection (a post has no console page of its own; a scheduled one is dragged
    here and cancelled below the calendar)."""
    kind = item["kind"]
    if kind == "EVENT":
        return f"/console/events/{item['id']}"
    if kind == "PIN":
        scope = "global" if item.get("pinScope") == "GLOBAL" else "circle"
        return f"/console/curation#pins-{scope}"
    if kind == "FEATURE":
        return "/console/curation#featured"
    if kind == "COLLECTION":
        return f"/console/curation#collection-{item['id']}"
    return None


def lay_out(
    items: list[dict[str, Any]], first: date, last: date, month: int | None, cal: Calendar
) -> list[list[Day]]:
    """Weeks of days, each with the items on it: a moment on its day, a pin or an event on
    every day of its span within the view."""
    today = cal.today()
    days = {
        first + timedelta(days=n): Day(
            first + timedelta(days=n),
            month is None or (first + timedelta(days=n)).month == month,
            first + timedelta(days=n) == today,
        )
        for n in range((last - first).days + 1)
    }
    flagged = overlapping_global_pins(items)
    for item in items:
        starts = cal.local(parse_time(item["startsAt"]))  # type: ignore[arg-type]
        ends_at = parse_time(item["endsAt"])
        ends = cal.local(ends_at - timedelta(microseconds=1)).date() if ends_at else last
        shown = {
            **item,
            "time": starts.strftime("%H:%M"),
            "overlap": item["kind"] == "PIN" and item["id"] in flagged,
            "spans": item["kind"] in ("PIN", "EVENT"),
            "href": href_of(item),
        }
        day = max(starts.date(), first)
        while day <= min(ends if shown["spans"] else starts.date(), last):
            days[day].items.append(shown)
            day += timedelta(days=1)
    ordered = [days[d] for d in sorted(days)]
    return [ordered[n : n + 7] for n in range(0, len(ordered), 7)]


async def show(
    desk: Desk,
    problems: list[GraphQLProblem] | None = None,
    draft: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    cal = community_calendar(desk)
    view, anchor = _anchor(desk, cal.today())
    first, last = span(view, anchor)
    start, end = cal.bounds(first, last)
    outcome = await desk.run("CalendarItems", **{"from": start.isoformat(), "to": end.isoformat()})
    items = (outcome.data or {}).get("contentCalendar") or []
    flagged = overlapping_global_pins(items)
    return desk.render(
        "calendar.html",
        status=status,
        view=view,
        anchor=anchor,
        first=first,
        last=last,
        weeks=lay_out(items, first, last, anchor.month if view == "month" else None, cal),
        kinds=KINDS,
        scheduled=[i for i in items if i["kind"] == "SCHEDULED_POST"],
        overlaps=[i for i in items if i["id"] in flagged and i["kind"] == "PIN"],
        previous=_shifted(view, anchor, -1),
        next=_shifted(view, anchor, 1),
        today=cal.today(),
        zone=cal.timezone,
        draft={"title": "", "body": "", "topics": "", "publish_at": _soon(cal), **(draft or {})},
        done=desk.request.query_params.get("done", ""),
        problems=(problems or []) + outcome.problems,
    )


def _soon(cal: Calendar) -> str:
    """The form's first guess: the next full hour but one on the community's clock."""
    moment = cal.local(datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    return (moment + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")


def _bad(desk: Desk, key: str, field_name: str) -> GraphQLProblem:
    return GraphQLProblem("BAD_USER_INPUT", desk.t(key), field_name)


def _back(desk: Desk, day: date | str, done: str) -> Response:
    return RedirectResponse(f"/console/calendar?d={day}&done={done}", status_code=303)


async def schedule(desk: Desk) -> Response:
    form = await desk.request.form()
    draft = {k: str(form.get(k, "")) for k in ("title", "body", "topics", "publish_at")}
    cal = community_calendar(desk)
    publish_at = local_instant(cal, draft["publish_at"])
    if publish_at is None:
        return await show(desk, [_bad(desk, "cal.bad_time", "publishAt")], draft, 400)
    topics = [t.strip().strip("#") for t in draft["topics"].replace("，", ",").split(",")]
    post_input: dict[str, Any] = {"body": draft["body"], "title": draft["title"].strip() or None}
    if any(topics):
        post_input["topics"] = [t for t in topics if t][:TOPICS_MAX]
    outcome = await desk.run("CalendarSchedule", input=post_input, publishAt=publish_at)
    if not outcome.ok:
        return await show(desk, outcome.problems, draft, 400)
    day = cal.day_of(datetime.fromisoformat(publish_at))
    return _back(desk, day, "scheduled")


def json_answer(desk: Desk, problems: list[GraphQLProblem], **done: Any) -> Response:
    """What a dragged item's move did, for static/curation.js."""
    if problems:
        forbidden = any(p.code == "FORBIDDEN" for p in problems)
        return JSONResponse(
            {"errors": [{"code": p.code, "message": p.message} for p in problems]},
            status_code=403 if forbidden else 400,
        )
    return JSONResponse({"ok": True, **done})


async def reschedule(desk: Desk) -> Response:
    """A scheduled post dropped on another day: the same time of day on that day."""
    form = await desk.request.form()
    cal = community_calendar(desk)
    try:
        day = date.fromisoformat(str(form.get("day", "")))
        at = time.fromisoformat(str(form.get("time", "")))
    except ValueError:
        return json_answer(desk, [_bad(desk, "cal.bad_time", "publishAt")])
    moment = datetime.combine(day, at, cal.zone)
    outcome = await desk.run(
        "CalendarReschedule", postId=str(form.get("postId", "")), publishAt=moment.isoformat()
    )
    return json_answer(
        desk, outcome.problems, message=desk.t("cal.moved", when=moment.strftime("%m-%d %H:%M"))
    )


async def cancel(desk: Desk) -> Response:
    form = await desk.request.form()
    outcome = await desk.run("CalendarCancel", postId=str(form.get("postId", "")))
    if not outcome.ok:
        return await show(desk, outcome.problems, status=400)
    return _back(desk, str(form.get("d", "")) or community_calendar(desk).today(), "cancelled")
