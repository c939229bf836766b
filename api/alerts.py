"""Alerts (风险监测): what the detectors found, acknowledging it, the rules and running them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.analytics import JobHandle
from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import CountedConnection, Node, counted_connection
from api.users import User, load_user
from domain import access, alerts, models
from domain.detectors import RuleSetting
from domain.errors import Forbidden

AlertKind = strawberry.enum(models.AlertKind, name="AlertKind")
AlertStatus = strawberry.enum(models.AlertStatus, name="AlertStatus")
AlertSeverity = strawberry.enum(models.AlertSeverity, name="AlertSeverity")


@strawberry.type(
    description="Something going wrong, found by a detector: OPEN → ACKNOWLEDGED → RESOLVED "
    "(by itself, on the first detector run that finds the condition false)."
)
class Alert(Node):
    id: strawberry.ID
    kind: AlertKind  # type: ignore[valid-type]
    severity: AlertSeverity  # type: ignore[valid-type]
    status: AlertStatus  # type: ignore[valid-type]
    value: float = strawberry.field(description="The figure that tripped the rule.")
    baseline: float | None = strawberry.field(
        description="What it was compared with (the mean, median or usual level); null for "
        "backlogs."
    )
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    model: strawberry.Private[models.Alert]

    @strawberry.field(description="What happened, in the reader's language.")
    def message(self, info: Info[Context, None]) -> str:
        return alerts.alert_message(self.model, info.context.locale)

    @strawberry.field
    async def acknowledged_by(self, info: Info[Context, None]) -> User | None:
        user_id = self.model.acknowledged_by_id  # type: ignore[attr-defined]
        return await load_user(info, user_id) if user_id else None

    @classmethod
    def from_model(cls, alert: models.Alert) -> Alert:
        return cls(
            id=strawberry.ID(to_global_id("Alert", alert.id)),
            kind=alert.kind,
            severity=alert.severity,
            status=alert.status,
            value=alert.value,
            baseline=alert.baseline,
            opened_at=alert.opened_at,
            acknowledged_at=alert.acknowledged_at,
            resolved_at=alert.resolved_at,
            model=alert,
        )


@strawberry.type(name="AlertConnection")
class AlertConnection(CountedConnection[Alert]):
    pass


@strawberry.type(description="One detector's setting.")
class AlertRule:
    kind: AlertKind  # type: ignore[valid-type]
    enabled: bool
    threshold: float | None = strawberry.field(
        description="REPORT_SPIKE: the Poisson p-value below which reports spike (0.001); "
        "DAU_DROP: the share of the baseline below which DAU dropped (0.7); SIGNUP_SPIKE and "
        "NEGATIVE_FEEDBACK_SPIKE: the multiple of the 14-day median (3); null for backlogs."
    )
    minimum: int = strawberry.field(
        description="The least count that alerts (reports 10, sign-ups 20, tasks or tickets "
        "past their SLA 1, complaints 5); DAU_DROP: the baseline DAU below which it stays "
        "quiet (20)."
    )
    window_minutes: int | None = strawberry.field(
        description="How far back the rule counts (read-only); null: the queue as it is now."
    )

    @classmethod
    def from_setting(cls, rule: RuleSetting) -> AlertRule:
        return cls(
            kind=rule.kind,
            enabled=rule.enabled,
            threshold=rule.threshold,
            minimum=rule.minimum,
            window_minutes=rule.window_minutes,
        )


@strawberry.type
class AlertPayload:
    alert: Alert


@strawberry.type
class AlertRulePayload:
    rule: AlertRule


@strawberry.type
class AlertsQuery:
    @strawberry.field(description="Alerts newest first, by status and kind (operators).")
    async def alerts(
        self,
        info: Info[Context, None],
        status: AlertStatus | None = None,  # type: ignore[valid-type]
        kind: AlertKind | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> AlertConnection:
        viewer = await info.context.require_viewer()
        counted = await alerts.list_alerts(
            viewer, status, kind, first=first, after=after, cap=info.context.page_cap
        )
        return counted_connection(AlertConnection, counted.page, counted.count, Alert.from_model)

    @strawberry.field(description="Every detector's rule, defaults filled in (operators).")
    async def alert_rules(self, info: Info[Context, None]) -> list[AlertRule]:
        viewer = await info.context.require_viewer()
        return [AlertRule.from_setting(r) for r in await alerts.alert_rules(viewer)]


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(description="Take an OPEN alert in hand (operators).")
    async def acknowledge_alert(self, info: Info[Context, None], id: strawberry.ID) -> AlertPayload:
        actor = await info.context.require_viewer()
        alert = await alerts.acknowledge(actor, pk_of(id, "Alert"))
        return AlertPayload(alert=Alert.from_model(alert))

    @strawberry.mutation(
        description="Switch a rule on or off and set its threshold and minimum (null: "
        "unchanged) (operators)."
    )
    async def set_alert_rule(
        self,
        info: Info[Context, None],
        kind: AlertKind,  # type: ignore[valid-type]
        enabled: bool,
        threshold: float | None = None,
        minimum: int | None = None,
    ) -> AlertRulePayload:
        actor = await info.context.require_viewer()
        rule = await alerts.set_rule(actor, kind, enabled, threshold, minimum)
        return AlertRulePayload(rule=AlertRule.from_setting(rule))

    @strawberry.mutation(
        description="Run the detectors now, in the background (they also run every 5 "
        "minutes); new alerts are announced by the job (operators)."
    )
    async def run_alert_checks(self, info: Info[Context, None]) -> JobHandle:
        actor = await info.context.require_viewer()
        if not access.can_watch_alerts(actor):
            raise Forbidden()
        from jobs.alerts import run_alert_checks

        job = await info.context.runtime.enqueue(run_alert_checks)
        return JobHandle(id=strawberry.ID(job.task_id))
