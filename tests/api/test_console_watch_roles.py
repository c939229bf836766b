"""Who may use the operations side's desk, alerts and breakdowns (wave2/console-operations
.graphql): operators and admins; a member or a moderator gets FORBIDDEN and nothing changes."""

from __future__ import annotations

from api.ids import to_global_id
from domain import alert_checks
from domain.models import (
    Alert,
    AlertRule,
    DailyMetric,
    Feedback,
    ModerationAction,
    Role,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_feedback, make_post, make_report, make_user, token_for
from tests.unit.test_schema import CONSOLE_WATCH_OPERATIONS


async def _snapshot(runtime: Runtime) -> dict[str, object]:
    return {
        "alerts": await Alert.all().values("id", "status", "acknowledged_by_id"),
        "rules": await AlertRule.all().count(),
        "log": await ModerationAction.all().count(),
        "feedback": await Feedback.all().values("id", "status"),
        "metrics": await DailyMetric.all().count(),
        "queue": await runtime.redis.llen(runtime.settings.redis_prefix + "jobs"),
    }


async def test_members_and_moderators_are_forbidden_the_operations_watch(
    api: Api, runtime: Runtime
) -> None:
    author, reporter = await make_user(), await make_user()
    for i in range(10):
        await make_report(await make_post(author, f"帖子 {i}"), reporter)
    [alert] = (await alert_checks.run_checks(RULES)).opened
    await make_feedback(author)
    span = {"from": "2026-01-01", "to": "2026-01-07"}
    variables = {
        "FeedbackDesk": {"category": "BUG"},
        "FeedbackMetrics": span,
        "Alerts": {"status": "OPEN"},
        "AcknowledgeAlert": {"id": to_global_id("Alert", alert.id)},
        "AlertRules": {},
        "SetAlertRule": {"kind": "REPORT_SPIKE", "enabled": False},
        "RunAlertChecks": {},
        "ConsoleOverviewOperations": {},
        "ReportsByReason": span,
        "ShareFunnelByChannel": {**span, "channel": "POSTER"},
    }
    assert sorted(variables) == sorted(CONSOLE_WATCH_OPERATIONS)
    before = await _snapshot(runtime)
    for role in (Role.MEMBER, Role.MODERATOR):
        token = token_for(runtime, await make_user(role=role))
        for name, given in variables.items():
            result = await api.op(name, given, token=token)
            codes = error_codes(result)
            assert codes and set(codes) == {"FORBIDDEN"}, (role, name, result)
            anonymous = await api.op(name, given)
            assert set(error_codes(anonymous)) == {"UNAUTHENTICATED"}, (name, anonymous)
    assert await _snapshot(runtime) == before
    # An admin may, as an operator.
    admin = token_for(runtime, await make_user(role=Role.ADMIN))
    for name in ("Alerts", "AlertRules", "FeedbackDesk", "ConsoleOverviewOperations"):
        result = await api.op(name, variables[name], token=admin)
        assert "errors" not in result, (name, result)
    node = await api.execute(
        "query($id: ID!) { node(id: $id) { ... on Alert { kind } } }",
        {"id": to_global_id("Alert", alert.id)},
        token=admin,
    )
    assert node["data"]["node"] == {"kind": "REPORT_SPIKE"}
    hidden = await api.execute(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": to_global_id("Alert", alert.id)},
        token=token_for(runtime, await make_user(role=Role.MODERATOR)),
    )
    assert hidden["data"]["node"] is None
