"""The demo's feedback desk and alerts: tickets of every category over the last weeks (some
answered within the SLA and rated, one answered late, one still open, one overdue) and the
alerts the detectors find in the demo (the overdue review task and ticket), beside one
resolved report spike from last week. Keyed by the tickets' texts and the alerts' kinds, so
a second run adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters import sql
from domain import alert_checks
from domain.feedback import submit
from domain.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    AlertStatus,
    Feedback,
    FeedbackCategory,
    FeedbackStatus,
    User,
)
from domain.publishing import NO_SCREENING  # demo texts, written here, not by members
from domain.rules import CommunityRules

# (author, category, text, filed hours ago, first reply after hours, the reply, its status,
# rating); no reply: still waiting.
TICKETS: tuple[
    tuple[str, FeedbackCategory, str, float, float | None, str, FeedbackStatus, int | None], ...
] = (
    ("demo-h02", FeedbackCategory.BUG, "图片上传到一半就失败了，换了网络也一样", 480, 2,
     "已修复，请更新到最新版本后重试", FeedbackStatus.RESOLVED, 5),
    ("demo-h05", FeedbackCategory.SUGGESTION, "希望能按话题筛选关注的内容", 360, 10,
     "已记录，正在排期", FeedbackStatus.IN_PROGRESS, None),
    ("demo-h07", FeedbackCategory.COMPLAINT, "有人在评论区发广告，举报了还没处理", 290, 30,
     "已处理并封禁相关账号，抱歉久等", FeedbackStatus.RESOLVED, 3),
    ("demo-h11", FeedbackCategory.CONTENT, "读书会的帖子被误判了，麻烦看一下", 190, 5,
     "已恢复，感谢反馈", FeedbackStatus.RESOLVED, 4),
    ("demo-h14", FeedbackCategory.BUG, "签到后积分没有到账", 120, 1,
     "积分延迟到账，已为你补发", FeedbackStatus.CLOSED, 5),
    ("demo-h20", FeedbackCategory.COMPLAINT, "活动报名满了但还显示可以报名", 70, 20,
     "已修复名额显示", FeedbackStatus.RESOLVED, None),
    ("demo-h25", FeedbackCategory.OTHER, "注销账号的入口在哪里？", 30, None,
     "", FeedbackStatus.OPEN, None),
    ("demo-h30", FeedbackCategory.SUGGESTION, "能不能加一个夜跑小组", 3, None,
     "", FeedbackStatus.OPEN, None),
)  # fmt: skip


async def _ticket(
    members: dict[str, User],
    replier: User,
    ticket: tuple[str, FeedbackCategory, str, float, float | None, str, FeedbackStatus, int | None],
) -> bool:
    author, category, text, hours_ago, reply_after, reply, status, rating = ticket
    if author not in members or await Feedback.exists(content=text):
        return False
    filed = await submit(members[author], category, text, screener=NO_SCREENING)
    created = datetime.now(UTC) - timedelta(hours=hours_ago)
    replied = created + timedelta(hours=reply_after) if reply_after is not None else None
    done = status in (FeedbackStatus.RESOLVED, FeedbackStatus.CLOSED)
    await sql.execute(
        "UPDATE feedback SET created_at = $2, updated_at = COALESCE($3::timestamptz, $2), "
        "first_replied_at = $3, replied_at = $3, resolved_at = $4, reply = $5, "
        "replied_by_id = $6, status = $7, rating = $8 WHERE id = $1",
        filed.id,
        created,
        replied,
        replied if done else None,
        reply or None,
        replier.id if replied else None,
        status.value,
        rating,
    )
    return True


async def seed_desk_and_alerts(rules: CommunityRules) -> dict[str, int]:
    """Create what is missing of the demo's tickets and alerts; return how many of each."""
    openids = ["demo-operator", *(t[0] for t in TICKETS)]
    members = {u.openid: u for u in await User.filter(openid__in=openids)}
    operator = members["demo-operator"]
    tickets = 0
    for ticket in TICKETS:
        tickets += await _ticket(members, operator, ticket)
    if not await Alert.exists(kind=AlertKind.REPORT_SPIKE):
        opened = datetime.now(UTC) - timedelta(days=9, hours=3)
        await Alert.create(
            kind=AlertKind.REPORT_SPIKE,
            severity=AlertSeverity.CRITICAL,
            status=AlertStatus.RESOLVED,
            value=14,
            baseline=1.2,
            detail={"p": 2.1e-9, "minutes": 60},
            opened_at=opened,
            acknowledged_at=opened + timedelta(minutes=12),
            acknowledged_by=operator,
            resolved_at=opened + timedelta(minutes=75),
        )
    run = await alert_checks.run_checks(rules)
    return {"feedback tickets": tickets, "alerts opened": len(run.opened)}
