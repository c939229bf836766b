"""活动: events with their seats, sign-ups and attendance; creating, editing and cancelling
one; its roster (CSV too); and the 大屏签到 screen for the venue, whose code and check-in count
htmx refreshes while it rotates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from console.desk import Desk
from console.gql import GraphQLProblem
from console.pages.common import (
    after,
    community_calendar,
    csv_download,
    export_pages,
    form_instant,
    form_number,
)

STATES = ("UPCOMING", "ONGOING", "ENDED", "CANCELLED")
KINDS = ("OFFLINE", "ONLINE")
# How often the venue's screen asks for the code and the count (the code turns every 5 min).
SCREEN_POLL_SECONDS = 5
_TIMES = ("startsAt", "endsAt", "signupDeadline")
_TEXTS = ("title", "description", "location")


def _draft(desk: Desk, form: FormData) -> dict[str, Any]:
    """What the event form holds, as the API's input fields (blank ones left out)."""
    draft: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in _TEXTS if k in form}
    for key in _TIMES:
        if (moment := form_instant(desk, str(form.get(key, "")))) is not None:
            draft[key] = moment
    for key in ("capacity", "pointsReward"):
        if (number := form_number(str(form.get(key, "")))) is not None:
            draft[key] = number
    return draft


def _form_values(desk: Desk, event: dict[str, Any] | None) -> dict[str, str]:
    """The edit form's values: the event's, times as datetime-local on the community clock."""
    if not event:
        return {}
    zone = community_calendar(desk).zone
    values = {
        k: "" if event.get(k) is None else str(event[k]) for k in (*_TEXTS, "kind", "pointsReward")
    }
    for key in _TIMES:
        moment = datetime.fromisoformat(event[key].replace("Z", "+00:00"))
        values[key] = moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    values["capacity"] = "" if event["capacity"] is None else str(event["capacity"])
    return values


async def show(desk: Desk, problems: list[GraphQLProblem] | None = None) -> Response:
    state = desk.request.query_params.get("state") or None
    state = state if state in STATES else None
    outcome = await desk.run(
        "ConsoleEvents", state=state, first=desk.console.page_max, after=after(desk)
    )
    page = (outcome.data or {}).get("events")
    return desk.render(
        "events.html",
        status=400 if problems else 200,
        page=page,
        rows=[edge["node"] for edge in page["edges"]] if page else [],
        state=state or "",
        states=STATES,
        kinds=KINDS,
        problems=outcome.problems + (problems or []),
    )


async def create(desk: Desk) -> Response:
    form = await desk.request.form()
    draft = _draft(desk, form)
    draft["kind"] = str(form.get("kind", "OFFLINE"))
    if not draft.get("signupDeadline"):
        draft.pop("signupDeadline", None)
    outcome = await desk.run("ConsoleCreateEvent", input=draft)
    made = (outcome.data or {}).get("createEvent")
    if not made:
        return await show(desk, outcome.problems)
    return RedirectResponse(f"/console/events/{made['event']['id']}?created=1", status_code=303)


async def _detail(
    desk: Desk,
    event_id: str,
    *,
    message: str | None = None,
    problems: list[GraphQLProblem] | None = None,
) -> Response:
    outcome = await desk.run("ConsoleEvent", id=event_id)
    found = outcome.data or {}
    event = found.get("event")
    if event is None:
        return desk.render("event.html", status=404, event=None, problems=outcome.problems)
    roster = await desk.run("ConsoleEventRoster", eventId=event_id, first=desk.console.page_max)
    if message is None and desk.request.query_params.get("created"):
        message = desk.t("events.created")
    return desk.render(
        "event.html",
        status=400 if problems else 200,
        event=event,
        stats=found.get("eventStats"),
        values=_form_values(desk, event),
        roster=(roster.data or {}).get("eventRoster"),
        message=message,
        problems=outcome.problems + roster.problems + (problems or []),
    )


async def detail(desk: Desk) -> Response:
    return await _detail(desk, desk.request.path_params["event_id"])


async def update(desk: Desk) -> Response:
    event_id = desk.request.path_params["event_id"]
    form = await desk.request.form()
    draft = _draft(desk, form)
    if form.get("removeCapacity"):  # wins over the capacity the form was filled with
        draft.pop("capacity", None)
        draft["removeCapacity"] = True
    outcome = await desk.run("ConsoleUpdateEvent", id=event_id, input=draft)
    if outcome.ok:
        return await _detail(desk, event_id, message=desk.t("events.saved"))
    return await _detail(desk, event_id, problems=outcome.problems)


async def cancel(desk: Desk) -> Response:
    event_id = desk.request.path_params["event_id"]
    form = await desk.request.form()
    reason = str(form.get("reason", ""))
    outcome = await desk.run("ConsoleCancelEvent", id=event_id, reason=reason)
    if outcome.ok:
        return await _detail(desk, event_id, message=desk.t("events.cancelled"))
    return await _detail(desk, event_id, problems=outcome.problems)


async def export_roster(desk: Desk) -> Response:
    event_id = desk.request.path_params["event_id"]
    nodes = await export_pages(desk, "ConsoleEventRoster", "eventRoster", eventId=event_id)
    return csv_download(
        "event-roster.csv",
        ["member_id", "nickname", "signed_up_at", "checked_in_at"],
        (
            [n["user"]["id"], n["user"]["nickname"], n["signedUpAt"], n["checkedInAt"]]
            for n in nodes
        ),
    )


async def _screen_numbers(desk: Desk, event_id: str) -> dict[str, Any]:
    code = await desk.run("ConsoleEventScreen", id=event_id)
    stats = await desk.run("ConsoleEventStats", id=event_id)
    return {
        "code": (code.data or {}).get("eventCheckInCode"),
        "stats": (stats.data or {}).get("eventStats"),
        "problems": code.problems + stats.problems,
        "poll": SCREEN_POLL_SECONDS,
        "event_id": event_id,
    }


async def screen(desk: Desk) -> Response:
    event_id = desk.request.path_params["event_id"]
    outcome = await desk.run("ConsoleEvent", id=event_id)
    event = (outcome.data or {}).get("event")
    if event is None:
        return desk.render("event.html", status=404, event=None, problems=outcome.problems)
    return desk.render("event_screen.html", event=event, **await _screen_numbers(desk, event_id))


async def screen_live(desk: Desk) -> Response:
    numbers = await _screen_numbers(desk, desk.request.path_params["event_id"])
    return desk.render("event_screen_live.html", **numbers)
