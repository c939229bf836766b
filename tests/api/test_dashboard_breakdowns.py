"""The dashboard's breakdowns (wave2/console-operations.graphql): reports by reason per day,
in one query for the range, and the share funnel per channel."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from adapters import sql
from domain.models import ClientEvent, ClientEventKind, ReportReason, Role, ShareChannel
from domain.shares import share_post
from domain.users import Attribution, find_or_create_member
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import RULES, make_post, make_report, make_user, token_for

CALENDAR = RULES.calendar


async def test_reports_by_reason_fill_each_day_in_one_query(
    api: Api, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    author, reporter = await make_user(), await make_user()
    today = CALENDAR.today()
    plan = [
        (0, ReportReason.SPAM),
        (0, ReportReason.SPAM),
        (0, ReportReason.ABUSE),
        (2, ReportReason.PORN),
    ]
    for i, (days_ago, reason) in enumerate(plan):
        report = await make_report(await make_post(author, f"帖子 {i}"), reporter, reason=reason)
        when = CALENDAR.start_of(today - timedelta(days=days_ago)) + timedelta(hours=12)
        await sql.execute("UPDATE reports SET created_at = $2 WHERE id = $1", report.id, when)
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    span = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}
    await api.op("ReportsByReason", span, token=token)  # the days' metrics are stored now
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        result = await api.op("ReportsByReason", span, token=token)
    days = {d["date"]: d for d in result["data"]["communityMetrics"]["days"]}
    assert len(days) == 7
    assert days[today.isoformat()]["reports"] == 3
    assert days[today.isoformat()]["reportsByReason"] == [
        {"reason": "SPAM", "count": 2},
        {"reason": "ABUSE", "count": 1},
    ]
    assert days[(today - timedelta(days=2)).isoformat()]["reportsByReason"] == [
        {"reason": "PORN", "count": 1}
    ]
    assert days[(today - timedelta(days=1)).isoformat()]["reportsByReason"] == []
    by_reason = [r for r in caplog.records if "GROUP BY 1, 2" in r.getMessage()]
    assert len(by_reason) == 1


async def test_the_share_funnel_follows_one_channel(api: Api, runtime: Runtime) -> None:
    sharer = await make_user()
    post = await make_post(await make_user(), "值得一看")
    chat, _ = await share_post(sharer, post.id, ShareChannel.WECHAT_CHAT, rules=RULES)
    poster, _ = await share_post(sharer, post.id, ShareChannel.POSTER, rules=RULES)
    await share_post(sharer, post.id, ShareChannel.POSTER, rules=RULES)
    for token, opens in ((chat.token, 3), (poster.token, 1)):
        for _ in range(opens):
            await ClientEvent.create(
                kind=ClientEventKind.SHARE_OPEN, share_token=token, occurred_at=chat.created_at
            )
    for n, token in enumerate((chat.token, chat.token, poster.token)):
        newcomer, _ = await find_or_create_member(
            f"newcomer-{n}", attribution=Attribution(share_token=token)
        )
        if n == 0:
            await make_post(newcomer, "第一帖")
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    today = CALENDAR.today().isoformat()

    async def funnel(channel: str | None) -> dict[str, int]:
        variables = {"from": today, "to": today, "channel": channel}
        result = await api.op("ShareFunnelByChannel", variables, token=operator)
        return {s["name"]: s["count"] for s in result["data"]["shareFunnel"]}

    assert await funnel("WECHAT_CHAT") == {"shares": 1, "opens": 3, "signups": 2, "first_posts": 1}
    assert await funnel("POSTER") == {"shares": 2, "opens": 1, "signups": 1, "first_posts": 0}
    assert await funnel("COPY_LINK") == {"shares": 0, "opens": 0, "signups": 0, "first_posts": 0}
    everything = await funnel(None)
    assert everything == {"shares": 3, "opens": 4, "signups": 3, "first_posts": 1}
    plain = await api.op("ShareFunnel", {"from": today, "to": today}, token=operator)
    assert {s["name"]: s["count"] for s in plain["data"]["shareFunnel"]} == everything
