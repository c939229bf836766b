"""风险监测: alerts by status with severity, the figure against its baseline and the message;
acknowledging one; the detectors' rules (on/off, threshold, minimum); running the detectors
now; and the header's red badge with the count of alerts nobody has taken in hand."""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse, Response

from console.desk import Desk
from console.pages.common import after

STATUSES = ("OPEN", "ACKNOWLEDGED", "RESOLVED")


def window_text(desk: Desk, minutes: int | None) -> str:
    """A rule's window as people say it: 60 分钟, 1 天; the queue as it is when there is none."""
    if not minutes:
        return desk.t("alerts.now")
    if minutes % 1440 == 0:
        return desk.t("ago.d", n=minutes // 1440)
    if minutes % 60 == 0 and minutes > 60:
        return desk.t("ago.h", n=minutes // 60)
    return desk.t("ago.m", n=minutes)


async def _rules(desk: Desk) -> tuple[list[dict[str, Any]], list[Any]]:
    outcome = await desk.run("ConsoleAlertRules")
    rules = (outcome.data or {}).get("alertRules") or []
    return [{**r, "window": window_text(desk, r["windowMinutes"])} for r in rules], outcome.problems


async def show(desk: Desk) -> Response:
    status = desk.request.query_params.get("status", "OPEN")
    status = "" if status == "ALL" else (status if status in STATUSES else "OPEN")
    outcome = await desk.run(
        "ConsoleAlerts", status=status or None, first=desk.console.page_max, after=after(desk)
    )
    rules, refused = await _rules(desk)
    return desk.render(
        "alerts.html",
        page=(outcome.data or {}).get("alerts"),
        current=status or "ALL",
        statuses=STATUSES,
        rules=rules,
        problems=outcome.problems + refused,
    )


async def acknowledge(desk: Desk) -> Response:
    form = await desk.request.form()
    outcome = await desk.run("ConsoleAcknowledgeAlert", id=str(form.get("id", "")))
    done = (outcome.data or {}).get("acknowledgeAlert")
    return desk.render(
        "alert_acknowledged.html",
        status=200 if outcome.ok else 400,
        alert=done["alert"] if done else None,
        problems=outcome.problems,
    )


def _float(raw: str) -> float | str | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        return raw  # the API refuses it, naming the field


def _int(raw: str) -> int | str | None:
    raw = raw.strip()
    if not raw:
        return None
    return int(raw) if raw.lstrip("-").isdigit() else raw


async def set_rule(desk: Desk) -> Response:
    form = await desk.request.form()
    outcome = await desk.run(
        "ConsoleSetAlertRule",
        kind=str(form.get("kind", "")),
        enabled=bool(form.get("enabled")),
        threshold=_float(str(form.get("threshold", ""))),
        minimum=_int(str(form.get("minimum", ""))),
    )
    done = (outcome.data or {}).get("setAlertRule")
    return desk.render(
        "action_result.html",
        status=200 if outcome.ok else 400,
        message=desk.t("alerts.rule_saved", kind=desk.t("alert_kind." + done["rule"]["kind"]))
        if done
        else None,
        problems=outcome.problems,
    )


async def run_checks(desk: Desk) -> Response:
    outcome = await desk.run("ConsoleRunAlertChecks")
    return desk.render(
        "action_result.html",
        status=200 if outcome.ok else 400,
        message=desk.t("alerts.queued") if outcome.ok else None,
        problems=outcome.problems,
    )


async def badge(desk: Desk) -> Response:
    """The header's badge (htmx loads it into every page, then every minute): a red count of
    the OPEN alerts, linked to them; empty when there are none."""
    outcome = await desk.run("ConsoleAlertBadge")
    found = (outcome.data or {}).get("alerts")
    count = found["totalCount"] if found else 0
    if not count:
        return HTMLResponse("", headers={"Cache-Control": "no-store"})
    return desk.render("alert_badge.html", count=count)
