"""数据看板 and 增长与留存 over HTTP: who may open them, the JSON their charts draw, and the
CSV exports (UTF-8 with a byte order mark, formula-like cells kept text)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from domain.models import Role, User
from tests.console.conftest import SignIn
from tests.console.numbers import seed_history
from tests.factories import RULES, make_user

PAGES = (
    "/console/dashboard",
    "/console/dashboard/data.json",
    "/console/dashboard.csv",
    "/console/dashboard/moderation.csv",
    "/console/growth",
    "/console/growth/data.json",
    "/console/growth/retention.csv",
    "/console/growth/at-risk.csv",
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
