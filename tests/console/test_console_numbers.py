"""数据看板 and 增长与留存 over HTTP: who may open them, the JSON their charts draw, and the
CSV exports (UTF-8 with a byte order mark, formula-like cells kept text)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from domain.models import ReportReason, Role, User
from tests.console.conftest import SignIn, csrf_of
from tests.console.numbers import seed_history
from tests.factories import RULES, make_feedback, make_post, make_report, make_user

PAGES = (
    "/console/dashboard",
    "/console/dashboard/data.json",
    "/console/dashboard.csv",
    "/console/dashboard/moderation.csv",
    "/console/growth",
    "/console/growth/data.json",
    "/console/growth/retention.csv",
    "/console/growth/at-risk.csv",
    "/console/growth/data.json?period=WEEK",
)


def _rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def test_a_moderator_gets_the_403_page_and_no_nav_entry(sign_in: SignIn) -> None:
    client = await sign_in(await make_user(role=Role.MODERATOR))

    home = await client.get("/console/")
    answers = [await client.get(path) for path in PAGES]

    assert "数据看板" not in home.text and "增长与留存" not in home.text
    assert [a.status_code for a in answers] == [403] * len(PAGES)
    assert "你的角色不能打开此页" in answers[0].text


async def test_an_operator_sees_the_nav_entries_and_the_kpi_tiles(sign_in: SignIn) -> None:
    await seed_history()
    client = await sign_in(await make_user(role=Role.OPERATOR))

    page = await client.get("/console/dashboard?range=7")
    english = await client.get("/console/dashboard", headers={"Accept-Language": "en"})

    assert page.status_code == 200
    assert 'href="/console/dashboard"' in page.text and 'href="/console/growth"' in page.text
    for name in (
        "日活 DAU（日均）",
        "新成员",
        "周活 WAU",
        "月活 MAU",
        "黏性",
        "互动率",
        "回复率",
        "举报率",
    ):
        assert name in page.text
    assert page.text.count('data-chart="spark"') == 8
    assert 'data-src="/console/dashboard/data.json?range=7"' in page.text
    assert "较上期" in page.text and "审核健康度" in page.text
    assert "Stickiness" in english.text and "Moderation health" in english.text


async def test_the_dashboard_data_follows_the_range_and_the_period_before(sign_in: SignIn) -> None:
    await seed_history()
    client = await sign_in(await make_user(role=Role.OPERATOR))
    today = RULES.calendar.today()
    start = today - timedelta(days=13)

    week = (await client.get("/console/dashboard/data.json?range=7")).json()
    custom = (
        await client.get(f"/console/dashboard/data.json?range=custom&from={start}&to={today}")
    ).json()
    too_long = (
        await client.get(
            f"/console/dashboard/data.json?range=custom&from={today - timedelta(days=200)}"
            f"&to={today}"
        )
    ).json()

    s = week["series"]
    assert s["dates"][0] == str(today - timedelta(days=6)) and s["dates"][-1] == str(today)
    assert len(s["prevDau"]) == 7 and len(s["mau"]) == 7 and len(s["replyRate"]) == 7
    assert sum(s["dau"]) > 0 and sum(s["newUsers"]) > 0 and sum(s["prevDau"]) > 0
    assert all(0 <= r <= 1 for r in s["dauMau"] if r is not None)
    assert week["labels"]["dau"] == "日活" and week["labels"]["save_png"] == "保存为图片"
    assert set(week["moderation"]) >= {"backlog", "overdue", "withinSla", "stages"}
    assert week["moderation"]["backlog"] >= 1  # the seeded reports opened review tasks
    assert custom["range"] == {"from": str(start), "to": str(today), "key": "custom"}
    assert len(custom["series"]["dates"]) == 14
    assert too_long["range"]["key"] == "30"  # past the custom limit: the default range
    english = await client.get(
        "/console/dashboard/data.json?range=7", headers={"Accept-Language": "en"}
    )
    assert english.json()["labels"]["dau"] == "DAU"
    assert english.json()["moderation"]["stages"][0]["label"] == "First"


async def test_the_daily_csv_has_a_bom_a_row_a_day_and_text_safe_cells(sign_in: SignIn) -> None:
    await seed_history()
    client = await sign_in(await make_user(role=Role.OPERATOR))

    answer = await client.get("/console/dashboard.csv?range=7")
    health = await client.get("/console/dashboard/moderation.csv?range=7")

    assert answer.headers["content-type"].startswith("text/csv")
    rows = _rows(answer.content)
    assert rows[0][:3] == ["date", "dau", "new_members"] and len(rows) == 8
    assert date.fromisoformat(rows[-1][0]) == RULES.calendar.today()
    assert _rows(health.content)[0][0] == "stage"


async def test_growth_shows_cohorts_funnel_segments_and_the_members_at_risk(
    sign_in: SignIn,
) -> None:
    members = await seed_history()
    await User.filter(id=members[3].id).update(nickname="=HYPERLINK(1)")
    client = await sign_in(await make_user(role=Role.OPERATOR))

    page = await client.get("/console/growth?range=30")
    numbers = (await client.get("/console/growth/data.json?range=30")).json()
    at_risk = _rows((await client.get("/console/growth/at-risk.csv")).content)
    cohorts = _rows((await client.get("/console/growth/retention.csv?range=30")).content)

    assert page.status_code == 200 and "流失风险成员" in page.text
    assert "/console/members/" in page.text.split('id="at-risk"')[1]
    rows = numbers["cohorts"]["rows"]
    assert len(rows) == 30 and numbers["cohorts"]["days"][0] == 1
    assert rows[-1]["rates"][0] is None  # today's members have no day 1 yet
    assert 0 < numbers["cohorts"]["average"][0] <= 1
    assert [s["name"] for s in numbers["funnel"]] == ["分享", "打开", "经分享注册", "首次发帖"]
    assert numbers["funnel"][0]["count"] > 0
    assert {s["key"] for s in numbers["segments"]} == {
        "NEW",
        "ACTIVE",
        "CASUAL",
        "DORMANT",
        "CHURNED",
    }
    assert sum(s["count"] for s in numbers["segments"]) > 0
    assert at_risk[0] == ["member_id", "nickname", "segment", "risk", "reason", "last_active_at"]
    assert len(at_risk) > 1
    assert "'=HYPERLINK(1)" in [r[1] for r in at_risk]  # a formula stays text
    assert cohorts[0][:3] == ["cohort", "size", "day_1"] and cohorts[-1][0] == "average"


async def test_growth_switches_the_heatmap_to_week_cohorts(sign_in: SignIn) -> None:
    await seed_history()
    client = await sign_in(await make_user(role=Role.OPERATOR))

    page = await client.get("/console/growth?range=30&period=WEEK")
    weeks = (await client.get("/console/growth/data.json?range=30&period=WEEK")).json()
    days = (await client.get("/console/growth/data.json?range=30&period=bogus")).json()
    exported = _rows(
        (await client.get("/console/growth/retention.csv?range=30&period=WEEK")).content
    )

    assert "按日" in page.text and "按周" in page.text
    assert 'data-src="/console/growth/data.json?range=30&amp;period=WEEK"' in page.text
    # another range keeps the weeks: the presets' links and the custom range's form
    assert 'href="/console/growth?range=7&amp;period=WEEK"' in page.text
    assert '<input type="hidden" name="period" value="WEEK">' in page.text
    cohorts = weeks["cohorts"]
    assert cohorts["period"] == "WEEK" and cohorts["days"] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert 4 <= len(cohorts["rows"]) <= 6  # 30 days: calendar weeks, named by their Monday
    assert all(date.fromisoformat(r["date"]).weekday() == 0 for r in cohorts["rows"])
    assert cohorts["rows"][-1]["rates"][0] is None  # this week's members: no week 1 yet
    assert 0 < cohorts["average"][0] <= 1
    assert weeks["labels"]["week_n"] == "第 N 周"
    assert days["cohorts"]["period"] == "DAY" and len(days["cohorts"]["days"]) == 9
    assert exported[0][:3] == ["cohort", "size", "week_1"] and len(exported[0]) == 10


async def test_segments_show_when_scored_and_recompute_on_demand(sign_in: SignIn) -> None:
    await seed_history()
    operator = await make_user(role=Role.OPERATOR)
    client = await sign_in(operator)

    page = await client.get("/console/growth")
    numbers = (await client.get("/console/growth/data.json")).json()
    refused = await client.post("/console/growth/refresh")
    queued = await client.post("/console/growth/refresh", data={"_csrf": csrf_of(page)})
    moderator = await sign_in(await make_user(role=Role.MODERATOR))
    forbidden = await moderator.post("/console/growth/refresh")

    assert numbers["segmentsScoredAt"] is not None
    assert "计算于 " in page.text and "重新计算" in page.text
    assert 'hx-post="/console/growth/refresh"' in page.text
    assert refused.status_code == 403  # no CSRF token
    assert queued.status_code == 200 and "已提交" in queued.text
    assert forbidden.status_code == 403


async def test_the_reports_chart_splits_by_reason(sign_in: SignIn) -> None:
    await seed_history()
    author, reporter = await make_user(), await make_user()
    await make_report(await make_post(author, "又一条广告"), reporter, reason=ReportReason.FRAUD)
    client = await sign_in(await make_user(role=Role.OPERATOR))

    s = (await client.get("/console/dashboard/data.json?range=30")).json()["series"]

    stacks = {r["reason"]: r for r in s["reportReasons"]}
    assert {"SPAM", "FRAUD"} <= set(stacks)
    assert stacks["FRAUD"]["label"] == "诈骗"
    assert stacks["FRAUD"]["counts"][-1] == 1  # today's report
    assert all(len(r["counts"]) == len(s["dates"]) for r in s["reportReasons"])
    per_day = [sum(r["counts"][i] for r in s["reportReasons"]) for i in range(len(s["dates"]))]
    assert per_day == s["reports"]  # the stacks add up to the day's reports
    assert len(s["reportRate"]) == len(s["dates"])  # the rate line stays


async def test_the_dashboard_shows_the_feedback_tiles_for_the_range(sign_in: SignIn) -> None:
    member = await make_user()
    await make_feedback(member, "希望能按话题搜索")
    await make_feedback(member, "夜间模式")
    client = await sign_in(await make_user(role=Role.OPERATOR))

    page = await client.get("/console/dashboard?range=7")
    numbers = (await client.get("/console/dashboard/data.json?range=7")).json()
    english = await client.get("/console/dashboard?range=7", headers={"Accept-Language": "en"})

    tiles = page.text.split('id="feedback-metrics"')[1].split("</section>")[0]
    for name in ("用户反馈", "收到反馈", "已解决", "首次回复中位用时", "时限内回复", "平均评分"):
        assert name in tiles
    assert "<dd>2</dd>" in tiles
    assert numbers["feedback"]["received"] == 2 and numbers["feedback"]["resolved"] == 0
    assert numbers["feedback"]["averageRating"] is None
    assert "Median first reply" in english.text
