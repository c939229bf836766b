"""活动, 反馈工单, 风险监测 and 推荐与任务 over HTTP: who may open them, what they show, and
what their forms do (each write refused without the session's CSRF token)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain import feedback as feedback_desk
from domain.events import sign_up
from domain.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    AlertStatus,
    Event,
    FeedbackCategory,
    FeedbackStatus,
    RecommenderModel,
    Role,
)
from tests.console.conftest import SignIn, csrf_of
from tests.factories import make_event, make_feedback, make_user

PAGES = (
    "/console/events",
    "/console/feedback",
    "/console/alerts",
    "/console/alerts/badge",
    "/console/system",
)


def _rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def test_a_moderator_gets_the_403_page_for_each_and_no_nav_entry_or_badge(
    sign_in: SignIn,
) -> None:
    event = await make_event(title="读书会")
    event_id = to_global_id("Event", event.id)
    client = await sign_in(await make_user(role=Role.MODERATOR))

    home = await client.get("/console/")
    pages = [*PAGES, f"/console/events/{event_id}", f"/console/events/{event_id}/screen"]
    answers = [await client.get(path) for path in pages]
    csrf = csrf_of(home)
    cancel = await client.post(
        f"/console/events/{event_id}/cancel", data={"reason": "下雨", "_csrf": csrf}
    )

    assert [a.status_code for a in answers] == [403] * len(pages)
    assert "你的角色不能打开此页" in answers[0].text
    assert cancel.status_code == 403
    assert (await Event.get(id=event.id)).cancelled_at is None
    for name in ("活动", "反馈工单", "风险监测", "推荐与任务", "alert-badge"):
        assert name not in home.text.split("<main")[0], name


async def test_an_operator_creates_edits_and_cancels_an_event_and_exports_its_roster(
    sign_in: SignIn,
) -> None:
    members = [await make_user(nickname=f"报名者{i}") for i in range(2)]
    operator = await make_user(role=Role.OPERATOR)
    client = await sign_in(operator)
    listed = await client.get("/console/events")
    csrf = csrf_of(listed)
    starts = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT%H:%M")
    ends = (datetime.now(UTC) + timedelta(days=3, hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M")
    form = {"title": "周末徒步", "kind": "OFFLINE", "startsAt": starts, "endsAt": ends}

    refused = await client.post("/console/events/create", data=form)
    created = await client.post(
        "/console/events/create", data={**form, "capacity": "10", "_csrf": csrf}
    )
    bad = await client.post("/console/events/create", data={**form, "title": " ", "_csrf": csrf})

    assert refused.status_code == 403 and await Event.filter(title="周末徒步").count() == 1
    assert created.status_code == 303
    event = await Event.get(title="周末徒步")
    event_id = to_global_id("Event", event.id)
    assert created.headers["location"] == f"/console/events/{event_id}?created=1"
    assert bad.status_code == 400 and "BAD_USER_INPUT" in bad.text
    for member in members:
        await sign_up(member, event.id)

    saved = await client.post(
        f"/console/events/{event_id}/update",
        data={"title": "周末徒步（改期）", "capacity": "20", "_csrf": csrf},
    )
    detail = await client.get(f"/console/events/{event_id}")
    roster = await client.get(f"/console/events/{event_id}/roster.csv")
    listed = await client.get("/console/events?state=UPCOMING")

    assert saved.status_code == 200 and "已保存" in saved.text
    assert (await Event.get(id=event.id)).capacity == 20
    assert "报名者0" in detail.text and "大屏签到" in detail.text
    assert 'name="pointsReward" value="0"' in detail.text
    lifted = await client.post(
        f"/console/events/{event_id}/update",
        data={"capacity": "20", "removeCapacity": "1", "_csrf": csrf},
    )
    assert lifted.status_code == 200 and (await Event.get(id=event.id)).capacity is None
    rows = _rows(roster.content)
    assert rows[0] == ["member_id", "nickname", "signed_up_at", "checked_in_at"]
    assert [r[1] for r in rows[1:]] == ["报名者0", "报名者1"]
    assert "周末徒步（改期）" in listed.text and ">18<" in listed.text  # seats left

    no_reason = await client.post(f"/console/events/{event_id}/cancel", data={"_csrf": csrf})
    cancelled = await client.post(
        f"/console/events/{event_id}/cancel", data={"reason": "暴雨预警", "_csrf": csrf}
    )
    assert no_reason.status_code == 400 and "BAD_USER_INPUT" in no_reason.text
    assert cancelled.status_code == 200 and "活动已取消" in cancelled.text
    assert (await Event.get(id=event.id)).cancelled_at is not None
    assert 'id="cancel-event"' not in cancelled.text  # nothing left to cancel or edit


async def test_the_check_in_screen_shows_the_code_and_the_live_count(sign_in: SignIn) -> None:
    event = await make_event(title="线下见面会", starts_in=timedelta(minutes=-10))
    event_id = to_global_id("Event", event.id)
    client = await sign_in(await make_user(role=Role.OPERATOR))

    screen = await client.get(f"/console/events/{event_id}/screen")
    live = await client.get(
        f"/console/events/{event_id}/screen/live", headers={"HX-Request": "true"}
    )

    assert screen.status_code == 200 and "线下见面会" in screen.text
    assert 'hx-trigger="every 5s"' in screen.text
    assert live.status_code == 200 and 'class="screen-code"' in live.text
    code = live.text.split('class="screen-code"')[1].split(">")[1].split("<")[0]
    assert code.strip().isdigit(), code


async def test_the_feedback_desk_is_oldest_first_filters_replies_and_shows_its_figures(
    sign_in: SignIn,
) -> None:
    author = await make_user(nickname="提意见的人")
    first = await make_feedback(author, "最早的一条：闪退", category=FeedbackCategory.BUG)
    await make_feedback(author, "第二条：希望夜间模式")
    await make_feedback(author, "第三条：有人骂人", category=FeedbackCategory.COMPLAINT)
    operator = await make_user(role=Role.OPERATOR)
    client = await sign_in(operator)

    page = await client.get("/console/feedback")
    complaints = await client.get("/console/feedback?category=COMPLAINT")
    text = page.text
    assert page.status_code == 200
    assert text.index("最早的一条") < text.index("第二条") < text.index("第三条")
    assert "sla-green" in text and "剩余" in text and "问题已修复" in text  # a template
    assert "近 30 天收到" in text and "时限内回复占比" in text
    assert "第三条" in complaints.text and "最早的一条" not in complaints.text

    ticket = to_global_id("Feedback", first.id)
    form = {"id": ticket, "reply": "已修复，请更新", "status": "RESOLVED"}
    refused = await client.post("/console/feedback/reply", data=form)
    replied = await client.post(
        "/console/feedback/reply", data=form, headers={"X-CSRF-Token": csrf_of(page)}
    )
    assert refused.status_code == 403
    assert replied.status_code == 200 and "已回复" in replied.text
    await feedback_desk.rate(author, first.id, 4)
    resolved = await client.get("/console/feedback?status=RESOLVED")
    assert "最早的一条" in resolved.text and "★★★★☆" in resolved.text
    assert "内已回复" in resolved.text
    assert (await feedback_desk.Feedback.get(id=first.id)).status == FeedbackStatus.RESOLVED


async def test_alerts_are_listed_acknowledged_counted_in_the_badge_and_rules_are_set(
    sign_in: SignIn,
) -> None:
    alert = await Alert.create(
        kind=AlertKind.FEEDBACK_BACKLOG,
        severity=AlertSeverity.WARNING,
        status=AlertStatus.OPEN,
        value=3,
        baseline=None,
        detail={"hours": 30, "sla": 24},
    )
    client = await sign_in(await make_user(role=Role.OPERATOR, nickname="值班的"))
    home = await client.get("/console/")
    badge = await client.get("/console/alerts/badge", headers={"HX-Request": "true"})
    page = await client.get("/console/alerts")
    csrf = csrf_of(page)

    assert 'id="alert-badge"' in home.text and 'id="home-open-alerts"' in home.text
    assert "未解决告警" in home.text and "超时未回复工单" in home.text
    assert 'class="alert-badge"' in badge.text and ">1<" in badge.text
    assert "工单积压" in page.text and "认领处理" in page.text and "检测规则" in page.text

    gid = to_global_id("Alert", alert.id)
    assert (await client.post("/console/alerts/ack", data={"id": gid})).status_code == 403
    acked = await client.post("/console/alerts/ack", data={"id": gid, "_csrf": csrf})
    assert acked.status_code == 200 and "处理中" in acked.text and "值班的" in acked.text
    badge = await client.get("/console/alerts/badge", headers={"HX-Request": "true"})
    assert badge.text.strip() == ""

    rule = {"kind": "REPORT_SPIKE", "enabled": "1", "threshold": "0.01", "minimum": "25"}
    assert (await client.post("/console/alerts/rule", data=rule)).status_code == 403
    saved = await client.post("/console/alerts/rule", data={**rule, "_csrf": csrf})
    off = await client.post(
        "/console/alerts/rule", data={"kind": "DAU_DROP", "minimum": "-1", "_csrf": csrf}
    )
    rules = await client.get("/console/alerts")
    assert saved.status_code == 200 and "已保存：举报激增" in saved.text
    assert off.status_code == 400 and "BAD_USER_INPUT" in off.text
    assert 'value="25"' in rules.text and 'value="0.01"' in rules.text
    assert (await client.post("/console/alerts/run", data={})).status_code == 403
    ran = await client.post("/console/alerts/run", data={"_csrf": csrf})
    assert ran.status_code == 200 and "已开始检测" in ran.text


async def test_the_system_page_shows_the_model_and_the_jobs_and_queues_a_retrain(
    sign_in: SignIn,
) -> None:
    client = await sign_in(await make_user(role=Role.OPERATOR))
    page = await client.get("/console/system")
    english = await client.get("/console/system", headers={"Accept-Language": "en"})

    assert page.status_code == 200
    assert "当前推荐模型" in page.text and "定时任务" in page.text and "模型历史" in page.text
    assert "quanzi.run_alert_checks" in page.text and "*/5 * * * *" in page.text
    assert "Scheduled jobs" in english.text
    assert (await client.post("/console/system/retrain")).status_code == 403
    queued = await client.post("/console/system/retrain", data={"_csrf": csrf_of(page)})
    assert queued.status_code == 200 and "已开始训练" in queued.text


async def test_the_model_history_shows_each_model_against_the_one_serving_before_it(
    sign_in: SignIn,
) -> None:
    figures = {"precision_at_10": 0.031, "recall_at_10": 0.2, "auc": 0.81, "users": 40}
    base = {"precision_at_10": 0.011, "recall_at_10": 0.07, "auc": 0.5, "users": 40}
    await RecommenderModel.create(
        version="old",
        path="",
        interactions=10,
        users=4,
        items=5,
        published=True,
        metrics={**figures, "epochs": 30},
        baseline=base,
    )
    await RecommenderModel.create(
        version="new",
        path="",
        interactions=12,
        users=4,
        items=6,
        published=False,
        baseline=base,
        metrics={
            **figures,
            "epochs": 17,
            "serving_version": "old",
            "against_serving": {
                "candidate": {**figures, "precision_at_10": 0.0123, "users": 9},
                "serving": {**figures, "precision_at_10": 0.0456, "users": 9},
            },
        },
    )
    client = await sign_in(await make_user(role=Role.OPERATOR))
    page = await client.get("/console/system")
    assert page.status_code == 200
    assert "对比服务中模型" in page.text and "17 轮" in page.text and "30 轮" in page.text
    assert "0.0123" in page.text and "0.0456" in page.text and "对比 old，9 名成员" in page.text
