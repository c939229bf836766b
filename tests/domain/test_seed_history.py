"""The demo's past four weeks, feedback desk and alerts: enough that no dashboard page is
empty, and a second seed adds nothing."""

from __future__ import annotations

from datetime import timedelta

from domain import analytics, feedback_metrics
from domain.breakdowns import reports_by_reason
from domain.models import (
    Alert,
    AlertKind,
    AlertStatus,
    ClientEvent,
    Comment,
    Feedback,
    MemberActivity,
    Post,
    PostLike,
    Report,
    Role,
    Share,
    User,
)
from quanzi.tools.seed import seed_demo_community
from quanzi.tools.seed_history import HISTORY_DAYS, HISTORY_MEMBERS
from tests.factories import RULES

TABLES = (
    User,
    Post,
    Comment,
    PostLike,
    Share,
    ClientEvent,
    Report,
    MemberActivity,
    Feedback,
    Alert,
)


async def _counts() -> dict[str, int]:
    return {model.__name__: await model.all().count() for model in TABLES}


async def test_the_seed_has_four_weeks_of_history_a_feedback_desk_and_alerts_once(
    runtime: object,
) -> None:
    first = await seed_demo_community(RULES)
    assert first["history members"] == len(HISTORY_MEMBERS)
    assert first["feedback tickets"] == 8
    counts = await _counts()
    again = await seed_demo_community(RULES)
    assert (again["history members"], again["history posts"]) == (0, 0)
    assert (again["feedback tickets"], again["alerts opened"]) == (0, 0)
    assert await _counts() == counts
    calendar = RULES.calendar
    today = calendar.today()
    start = today - timedelta(days=HISTORY_DAYS)
    metrics = await analytics.community_metrics(calendar, start, today)
    quiet_days = [d.date for d in metrics.days if d.dau == 0]
    assert quiet_days == []
    assert sum(d.new_users > 0 for d in metrics.days) >= 20
    assert sum(d.posts for d in metrics.days) >= 30
    assert sum(d.comments for d in metrics.days) >= 30 and sum(d.likes for d in metrics.days) >= 60
    assert metrics.mau >= 35 and 0 < metrics.stickiness < 1 and metrics.interaction_rate > 0
    funnel = {s.name: s.count for s in await analytics.share_funnel(calendar, start, today)}
    assert funnel["shares"] > funnel["signups"] > funnel["first_posts"] > 0
    assert funnel["opens"] > funnel["shares"]
    cohorts = await analytics.retention_cohorts(calendar, start, today, [1, 7])
    assert len(cohorts) >= 20 and any(p.retained for c in cohorts for p in c.points)
    days = [start + timedelta(days=n) for n in range(HISTORY_DAYS + 1)]
    assert sum(len(reasons) for reasons in await reports_by_reason(calendar, days)) >= 3
    # The desk: answered and rated tickets, one overdue.
    operator = await User.get(openid="demo-operator")
    assert operator.role == Role.OPERATOR
    assert await feedback_metrics.overdue_count(operator, rules=RULES) == 1
    desk = await feedback_metrics.feedback_metrics(operator, start, today, rules=RULES)
    assert desk.received >= 8 and desk.resolved >= 4 and desk.average_rating
    assert desk.within_sla_rate is not None and 0 < desk.within_sla_rate < 1
    # Alerts: what the demo really has (an overdue task and ticket), and last week's spike.
    open_kinds = sorted(a.kind for a in await Alert.filter(status__not=AlertStatus.RESOLVED))
    assert open_kinds == [AlertKind.FEEDBACK_BACKLOG, AlertKind.REVIEW_BACKLOG]
    spike = await Alert.get(kind=AlertKind.REPORT_SPIKE)
    assert spike.status == AlertStatus.RESOLVED and spike.acknowledged_by_id == operator.id  # type: ignore[attr-defined]
