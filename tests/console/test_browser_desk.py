"""活动, 反馈工单, 风险监测 and 推荐与任务 in a real browser, with test_browser's server,
Chromium and signed-in pages: cancelling an event reaches the signed-up member's inbox; the
venue screen follows check-ins; a report surge, checked from the console's "run checks now",
opens one REPORT_SPIKE alert that 今日 and the header show and the WeCom stand-in hears once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Dialog, Route, expect

from api.ids import to_global_id
from domain.events import checkin_code
from domain.models import (
    Feedback,
    FeedbackCategory,
    JobRun,
    NotificationKind,
    RecommenderModel,
    Role,
)
from quanzi.bootstrap import Runtime
from tests.api import test_alerts
from tests.api.test_alerts import report_surge, until, with_webhook, worker_and_api
from tests.conftest import Api
from tests.console import test_browser
from tests.console.test_browser import CHROMIUM, Desk, shot
from tests.factories import make_event, make_feedback, make_user, token_for
from tests.wecom_stub import WeComStub

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)"
)
# test_browser's server, Chromium and signed-in pages; test_alerts' WeCom stand-in.
server, chromium, desk = test_browser.server, test_browser.chromium, test_browser.desk
wecom_server, wecom = test_alerts.wecom_server, test_alerts.wecom


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def test_an_operator_cancels_an_event_and_the_member_is_notified(
    runtime: Runtime, api: Api, desk: tuple[Desk, list[str]]
) -> None:
    signed_in, errors = desk
    operator = await make_user(role=Role.OPERATOR, nickname="活动运营")
    hikers = [await make_user(nickname=f"徒步者{i}") for i in range(3)]
    await make_event(operator, "城市读书会", capacity=30, signed_up=hikers[:2], location="图书馆")
    event = await make_event(
        operator, "周末香山徒步", capacity=20, signed_up=hikers, location="香山公园东门"
    )
    page = await signed_in(operator)
    page.on("dialog", _accept)

    await page.get_by_role("link", name="活动", exact=True).click()
    await expect(page.locator("#events")).to_contain_text("周末香山徒步")
    await expect(page.locator("#events")).to_contain_text("17")  # seats left
    await shot(page, "40-events")
    await page.get_by_role("link", name="周末香山徒步").click()
    await expect(page.locator("#roster")).to_contain_text("徒步者2")
    await page.locator("#cancel-reason").fill("暴雨橙色预警，活动取消")
    await page.locator("#cancel-event").get_by_role("button", name="取消活动").click()
    await expect(page.get_by_text("活动已取消，已通知报名成员")).to_be_visible()
    await expect(page.locator("h1 .tag")).to_have_text("已取消")

    inbox = await api.op("Notifications", {"first": 5}, token=token_for(runtime, hikers[0]))
    [note] = inbox["data"]["notifications"]["edges"]
    assert note["node"]["kind"] == NotificationKind.EVENT_CANCELLED.value
    assert "周末香山徒步" in note["node"]["text"]
    assert event.id
    assert errors == []


async def test_the_venue_screen_shows_the_code_and_follows_check_ins(
    runtime: Runtime, api: Api, server: str, desk: tuple[Desk, list[str]]
) -> None:
    signed_in, errors = desk
    operator = await make_user(role=Role.OPERATOR)
    member = await make_user(nickname="到场的人")
    event = await make_event(
        operator,
        "圈子年度见面会",
        starts_in=timedelta(minutes=5),
        signed_up=[member, *[await make_user() for _ in range(4)]],
        location="798 艺术区 A 座",
    )
    gid = to_global_id("Event", event.id)
    page = await signed_in(operator)
    await page.goto(f"{server}/console/events/{gid}/screen")
    code = checkin_code(event)
    await expect(page.locator(".screen-code")).to_have_text(code)
    await expect(page.locator("#screen-checkins")).to_have_text("0")

    done = await api.op(
        "CheckInEvent", {"eventId": gid, "code": code}, token=token_for(runtime, member)
    )
    assert done["data"]["checkInEvent"]["event"]["viewerCheckedIn"] is True
    await expect(page.locator("#screen-checkins")).to_have_text("1", timeout=8000)
    await shot(page, "41-screen")
    assert errors == []


async def test_the_feedback_desk_replies_from_a_template_and_the_system_page_lists_jobs(
    server: str, desk: tuple[Desk, list[str]]
) -> None:
    signed_in, errors = desk
    author = await make_user(nickname="热心用户")
    late = await make_feedback(author, "发帖时图片上传一直失败", category=FeedbackCategory.BUG)
    soon = await make_feedback(author, "评论区被广告刷屏了", category=FeedbackCategory.COMPLAINT)
    await make_feedback(author, "希望可以按话题订阅")
    now = datetime.now(UTC)
    await Feedback.filter(id=late.id).update(created_at=now - timedelta(hours=30))
    await Feedback.filter(id=soon.id).update(created_at=now - timedelta(hours=20))
    common = {"path": "var/models/x", "users": 412, "items": 1873}
    baseline = {"precision_at_10": 0.061, "recall_at_10": 0.094, "auc": 0.702}
    await RecommenderModel.create(version="als-0001", interactions=9120, seconds=4.2, **common)
    await RecommenderModel.create(
        version="als-0002",
        interactions=12480,
        metrics={"precision_at_10": 0.083, "recall_at_10": 0.121, "auc": 0.774},
        baseline=baseline,
        published=True,
        current=True,
        seconds=5.8,
        **common,
    )
    await JobRun.create(
        name="quanzi.run_alert_checks", last_run_at=now, duration_seconds=0.4, outcome="OK"
    )
    page = await signed_in(await make_user(role=Role.OPERATOR, nickname="客服小李"))

    await page.get_by_role("link", name="反馈工单").click()
    rows = page.locator("#tickets tbody tr")
    await expect(rows.nth(0)).to_contain_text("图片上传一直失败")
    await expect(rows.nth(0).locator(".clock")).to_have_attribute("data-sla", "red")
    await expect(rows.nth(1).locator(".clock")).to_have_attribute("data-sla", "amber")
    await expect(rows.nth(2).locator(".clock")).to_have_attribute("data-sla", "green")
    await rows.nth(0).locator(".template-picker").select_option("fixing")
    await expect(rows.nth(0).locator('textarea[name="reply"]')).to_have_value(
        "你好，问题已经确认，技术同学正在处理中，修复后会第一时间告诉你。"
    )
    await rows.nth(0).locator('select[name="status"]').select_option("IN_PROGRESS")
    await rows.nth(0).get_by_role("button", name="发送回复").click()
    await expect(rows.nth(0).locator(".reply-result")).to_contain_text("已回复，状态：处理中")
    await shot(page, "42-feedback")

    await page.get_by_role("link", name="推荐与任务").click()
    await expect(page.locator("#serving")).to_contain_text("als-0002")
    await expect(page.locator("#jobs")).to_contain_text("quanzi.run_alert_checks")
    await expect(page.locator("#models tr.serving")).to_contain_text("服务中")
    await shot(page, "44-system")
    assert errors == []


async def test_a_report_surge_opens_one_alert_home_shows_and_the_webhook_hears_once(
    runtime: Runtime,
    server: str,
    desk: tuple[Desk, list[str]],
    wecom: WeComStub,
) -> None:
    signed_in, errors = desk
    await report_surge(12)
    operator = await make_user(role=Role.OPERATOR, nickname="值班运营")
    page = await signed_in(operator)
    await expect(page.locator("#alert-badge .alert-badge")).to_have_count(0)
    # The served app queues the checks; a worker configured with QUANZI_ALERT_WEBHOOK (the
    # stand-in) runs them and announces, as `quanzi worker` does.
    async with worker_and_api(with_webhook(runtime, wecom)):
        await page.get_by_role("link", name="风险监测").click()
        await page.get_by_role("button", name="立即检测").click()
        await expect(page.locator("#run-result")).to_contain_text("已开始检测")
        await until(lambda: wecom.messages, seconds=10)
        await page.goto(f"{server}/console/")
        await expect(page.locator("#home-open-alerts .count")).to_have_text("1")
        await expect(page.locator("#alert-badge .alert-badge")).to_have_text("1")
        await page.locator("#alert-badge .alert-badge").click()
        await expect(page.locator("#alerts")).to_contain_text("举报激增")
        await expect(page.locator("#alerts")).to_contain_text("最近 60 分钟收到 12 条举报")
        await shot(page, "43-alerts")
        # Pressed again with the surge still on: no second alert, no second message.
        await page.get_by_role("button", name="立即检测").click()
        await page.wait_for_timeout(1500)
    assert len(wecom.messages) == 1 and wecom.requests == 1
    assert "举报激增" in wecom.messages[0]
    await page.get_by_role("button", name="认领处理").click()
    await expect(page.locator("#alerts")).to_contain_text("值班运营")
    await page.goto(f"{server}/console/")
    await expect(page.locator("#alert-badge .alert-badge")).to_have_count(0)
    assert errors == []


async def test_a_template_picked_before_the_page_script_ran_still_fills_the_reply(
    server: str, desk: tuple[Desk, list[str]]
) -> None:
    """On a slow line the operator may pick a canned reply before the page's deferred script
    has run: the box is filled when it does (CI once picked faster than the script loaded)."""
    signed_in, errors = desk
    await make_feedback(await make_user(nickname="着急的用户"), "上传头像失败")
    page = await signed_in(await make_user(role=Role.OPERATOR, nickname="客服小周"))
    release = asyncio.Event()

    async def slow(route: Route) -> None:
        await release.wait()
        await route.continue_()

    await page.route("**/operations.js*", slow)
    await page.get_by_role("link", name="反馈工单").click()
    row = page.locator("#tickets tbody tr").nth(0)
    await row.locator(".template-picker").select_option("fixing")
    await expect(row.locator('textarea[name="reply"]')).to_have_value("")  # not run yet
    release.set()
    await expect(row.locator('textarea[name="reply"]')).to_have_value(
        "你好，问题已经确认，技术同学正在处理中，修复后会第一时间告诉你。"
    )
    assert errors == []
