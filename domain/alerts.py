"""Alerts as operators see and steer them: the list, acknowledging, the rules and their
settings, what an alert says (in the reader's language, or as the WeCom robot's markdown).
The detectors that open and resolve alerts run in alert_checks.py."""

from __future__ import annotations

import math
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, modlog
from domain.calendar import Calendar
from domain.detectors import MINIMUM_MAX, THRESHOLD_RANGES, RuleSetting
from domain.errors import BadInput, Conflict, Forbidden, NotFound
from domain.models import Alert, AlertKind, AlertRule, AlertSeverity, AlertStatus, User
from domain.pagination import Counted, counted_page
from domain.texts import render

# WeCom markdown's colours: green, grey, orange-red.
WEBHOOK_COLORS = {
    AlertSeverity.INFO: "info",
    AlertSeverity.WARNING: "warning",
    AlertSeverity.CRITICAL: "warning",
}


def _check(viewer: User) -> None:
    if not access.can_watch_alerts(viewer):
        raise Forbidden()


async def list_alerts(
    viewer: User,
    status: AlertStatus | None,
    kind: AlertKind | None,
    *,
    first: int | None,
    after: str | None,
    cap: int,
) -> Counted[Alert]:
    """Alerts newest first, by status and kind when given (operators)."""
    _check(viewer)
    query = Alert.all()
    if status is not None:
        query = query.filter(status=status)
    if kind is not None:
        query = query.filter(kind=kind)
    return await counted_page(query, first=first, after=after, order=("-opened_at", "-id"), cap=cap)


async def acknowledge(actor: User, alert_id: int) -> Alert:
    """OPEN → ACKNOWLEDGED, by whom and when; again on an acknowledged alert changes nothing;
    a resolved one answers CONFLICT."""
    _check(actor)
    async with in_transaction() as conn:
        rows = await sql.fetch(
            "UPDATE alerts SET status = $2, acknowledged_at = now(), acknowledged_by_id = $3 "
            "WHERE id = $1 AND status = $4 RETURNING kind",
            alert_id,
            AlertStatus.ACKNOWLEDGED.value,
            actor.id,
            AlertStatus.OPEN.value,
            conn=conn,
        )
        if rows:
            await modlog.record(
                actor, "ACKNOWLEDGE_ALERT", "ALERT", alert_id, rows[0]["kind"], conn
            )
    alert = await Alert.get_or_none(id=alert_id)
    if alert is None:
        raise NotFound("alert_not_found", field="id")
    if not rows and alert.status == AlertStatus.RESOLVED:
        raise Conflict("alert_resolved", field="id")
    return alert


async def open_count(viewer: User) -> int:
    """Alerts not resolved yet (OPEN or ACKNOWLEDGED): the console home page's figure."""
    _check(viewer)
    return await Alert.exclude(status=AlertStatus.RESOLVED).count()


# ---------------------------------------------------------------- rules


async def current_rules(conn: BaseDBAsyncClient | None = None) -> dict[AlertKind, RuleSetting]:
    """Every rule as set, the defaults filling in what operators never set."""
    stored = {AlertKind(r.kind): r for r in await AlertRule.all().using_db(conn)}
    rules: dict[AlertKind, RuleSetting] = {}
    for kind in AlertKind:
        default, row = RuleSetting.default(kind), stored.get(kind)
        rules[kind] = (
            RuleSetting(
                kind,
                row.enabled,
                row.threshold if row.threshold is not None else default.threshold,
                row.minimum if row.minimum is not None else default.minimum,
            )
            if row is not None
            else default
        )
    return rules


async def alert_rules(viewer: User) -> list[RuleSetting]:
    _check(viewer)
    return list((await current_rules()).values())


def _check_setting(kind: AlertKind, threshold: float | None, minimum: int | None) -> None:
    if threshold is not None:
        limits = THRESHOLD_RANGES.get(kind)
        if limits is None:
            raise BadInput("alert_no_threshold", field="threshold")
        low, high, inclusive = limits
        above = threshold >= low if inclusive else threshold > low
        if not (math.isfinite(threshold) and above and threshold <= high):
            key = "alert_threshold_range_inclusive" if inclusive else "alert_threshold_range"
            raise BadInput(key, field="threshold", min=f"{low:g}", max=f"{high:g}")
    if minimum is not None and not 1 <= minimum <= MINIMUM_MAX:
        raise BadInput("alert_minimum_range", field="minimum", max=MINIMUM_MAX)


async def set_rule(
    actor: User, kind: AlertKind, enabled: bool, threshold: float | None, minimum: int | None
) -> RuleSetting:
    """Switch a rule on or off and set its threshold and minimum (null: unchanged)."""
    _check(actor)
    _check_setting(kind, threshold, minimum)
    async with in_transaction() as conn:
        await sql.fetch(
            "INSERT INTO alert_rules (kind, enabled, threshold, minimum, updated_at, "
            "updated_by_id) VALUES ($1, $2, $3, $4, now(), $5) ON CONFLICT (kind) DO UPDATE SET "
            "enabled = EXCLUDED.enabled, "
            "threshold = COALESCE(EXCLUDED.threshold, alert_rules.threshold), "
            "minimum = COALESCE(EXCLUDED.minimum, alert_rules.minimum), "
            "updated_at = now(), updated_by_id = EXCLUDED.updated_by_id RETURNING kind",
            kind.value,
            enabled,
            threshold,
            minimum,
            actor.id,
            conn=conn,
        )
        note = f"{kind.value} enabled={enabled} threshold={threshold} minimum={minimum}"
        await modlog.record(actor, "SET_ALERT_RULE", "ALERT_RULE", None, note, conn)
    return (await current_rules())[kind]


# ---------------------------------------------------------------- what an alert says


def _percent(value: Any, locale: str) -> str:
    if value is None:
        return render("alert.unknown", locale)
    return f"{float(value):.0%}"


def _number(value: float | None, locale: str) -> str:
    if value is None:
        return render("alert.unknown", locale)
    return f"{round(value, 1):g}"


def alert_message(alert: Alert, locale: str) -> str:
    """The alert's message in `locale`, from the figures its detector kept."""
    detail: dict[str, Any] = dict(alert.detail or {})
    stage = detail.get("stage")
    fields = {
        "value": _number(alert.value, locale),
        "baseline": _number(alert.baseline, locale),
        "minutes": detail.get("minutes", 60),
        "p": f"{float(detail.get('p', 0.0)):.2g}",
        "day": detail.get("day", ""),
        "percent": _percent(detail.get("ratio"), locale),
        "rate": _percent(detail.get("rate"), locale),
        "usual": _percent(detail.get("usualRate"), locale),
        "hours": _number(detail.get("hours"), locale),
        "sla": _number(detail.get("sla"), locale),
        "stage": render(f"alert.stage.{stage}", locale) if stage else "",
    }
    return render(f"alert.{alert.kind}", locale, **fields)


def webhook_markdown(alert: Alert, calendar: Calendar) -> str:
    """The WeCom group-robot message announcing a new alert, in Chinese (the team's)."""
    severity = AlertSeverity(alert.severity)
    return render(
        "alert.webhook",
        title=render(f"alert.title.{alert.kind}"),
        color=WEBHOOK_COLORS[severity],
        severity=render(f"alert.severity.{severity.value}"),
        message=alert_message(alert, "zh"),
        time=calendar.local(alert.opened_at).strftime("%Y-%m-%d %H:%M"),
    )
