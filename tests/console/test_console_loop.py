"""积分商城 and 问卷 over HTTP: operators only, CSRF on every write, items created, a PHYSICAL
redemption fulfilled, a cancel that refunds, the queue's CSV, a survey created from the form
and its results' numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from api.ids import to_global_id
from domain.models import MallItem, Redemption, RedemptionStatus, Role, Survey, User
from quanzi.bootstrap import Runtime
from tests.console.conftest import SignIn, csrf_of
from tests.console.loop_data import seed_mall, seed_survey
from tests.factories import make_user


def _rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def test_a_moderator_gets_403_and_no_nav_entry_and_writes_need_the_csrf_token(
    sign_in: SignIn,
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    seeded = await seed_mall(operator)
    pending_id = to_global_id("Redemption", seeded.pending.id)
    moderator = await sign_in(await make_user(role=Role.MODERATOR))
    home = await moderator.get("/console/")
    pages = ["/console/mall", "/console/surveys", "/console/mall/redemptions.csv"]
    answers = [await moderator.get(p) for p in pages]
    refused_role = await moderator.post(
        f"/console/mall/redemptions/{pending_id}/cancel",
        data={"reason": "x", "_csrf": csrf_of(home)},
    )
    staff = await sign_in(operator)
    page = await staff.get("/console/mall")
    without = await staff.post(
        f"/console/mall/redemptions/{pending_id}/cancel", data={"reason": "x"}
    )
    forged = await staff.post(
        "/console/mall/items",
        data={"title": "伪造", "kind": "VIRTUAL", "pricePoints": "5", "_csrf": "nope"},
    )

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert "你的角色不能打开此页" in answers[0].text
    assert refused_role.status_code == 403 and without.status_code == 403
    assert forged.status_code == 403
    assert (await Redemption.get(id=seeded.pending.id)).status is RedemptionStatus.PENDING
    assert not await MallItem.filter(title="伪造").exists()
    assert "积分商城" not in home.text.split("<main")[0]
    assert "积分商城" in page.text.split("<main")[0] and "问卷" in page.text.split("<main")[0]


async def test_an_operator_creates_edits_switches_off_and_stocks_items(sign_in: SignIn) -> None:
    operator = await make_user(role=Role.OPERATOR)
    client = await sign_in(operator)
    csrf = csrf_of(await client.get("/console/mall"))
    form = {"title": "定制 T 恤", "kind": "PHYSICAL", "pricePoints": "300", "stock": "10"}

    created = await client.post(
        "/console/mall/items",
        data={**form, "perMemberLimit": "1", "minLevel": "2", "active": "1", "_csrf": csrf},
    )
    bad = await client.post("/console/mall/items", data={**form, "pricePoints": "0", "_csrf": csrf})
    shirt = await MallItem.get(title="定制 T 恤")
    shirt_id = to_global_id("MallItem", shirt.id)
    edit_form = await client.get(f"/console/mall?edit={shirt_id}")
    edited = await client.post(
        f"/console/mall/items/{shirt_id}/update",
        data={"title": "定制 T 恤", "pricePoints": "280", "active": "1", "_csrf": csrf},
    )
    off = await client.post(f"/console/mall/items/{shirt_id}/switch", data={"_csrf": csrf})
    coupon = await client.post(
        "/console/mall/items",
        data={
            "title": "电影券",
            "kind": "COUPON",
            "pricePoints": "80",
            "active": "1",
            "_csrf": csrf,
        },
    )
    coupon_id = to_global_id("MallItem", (await MallItem.get(title="电影券")).id)
    codes = await client.post(
        f"/console/mall/items/{coupon_id}/codes",
        data={"codes": "FILM-1\n FILM-2 \n\nFILM-3\n", "_csrf": csrf},
    )
    listed = await client.get("/console/mall")

    assert created.status_code == 303 and created.headers["location"].endswith("done=created")
    assert bad.status_code == 400 and 'class="problems"' in bad.text
    assert 'value="300"' in edit_form.text and "编辑：定制 T 恤" in edit_form.text
    assert edited.status_code == 303 and off.status_code == 303
    assert coupon.status_code == 303 and codes.status_code == 303
    shirt = await MallItem.get(id=shirt.id)
    assert (shirt.price_points, shirt.stock, shirt.per_member_limit, shirt.min_level) == (
        280,
        10,
        1,
        2,
    )
    assert shirt.active is False
    film = await MallItem.get(title="电影券")
    assert (film.stock, film.remaining) == (3, 3)
    table = listed.text.split('id="mall-items"')[1].split("</table>")[0]
    assert "定制 T 恤" in table and "已下架" in table and "电影券" in table


async def test_the_queue_lists_pending_first_fulfils_and_cancels_with_a_refund(
    sign_in: SignIn,
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    seeded = await seed_mall(operator)
    before = (await User.get(id=seeded.member.id)).points
    client = await sign_in(operator)
    page = await client.get("/console/mall")
    csrf = csrf_of(page)
    queue = page.text.split('id="redemptions"')[1]
    pending_id = to_global_id("Redemption", seeded.pending.id)

    fulfilled = await client.post(
        f"/console/mall/redemptions/{pending_id}/fulfil",
        data={"trackingNumber": "SF1234567890", "_csrf": csrf},
    )
    again = await client.post(
        f"/console/mall/redemptions/{pending_id}/fulfil", data={"_csrf": csrf}
    )
    cancelled = await client.post(
        f"/console/mall/redemptions/{pending_id}/cancel",
        data={"reason": "缺货", "_csrf": csrf},
    )
    after = await client.get("/console/mall?status=CANCELLED")

    assert queue.index("圈子马克杯") < queue.index("咖啡券")  # PENDING first
    assert "上海市徐汇区漕溪北路 1 号" in queue and "13800000000" in queue
    assert "待发货 1" in page.text
    assert fulfilled.status_code == 303
    assert again.status_code == 400 and "CONFLICT" in again.text
    assert cancelled.status_code == 303
    row = await Redemption.get(id=seeded.pending.id)
    assert (row.status, row.tracking_number) == (RedemptionStatus.CANCELLED, "SF1234567890")
    assert (await User.get(id=seeded.member.id)).points == before + 120
    assert (await MallItem.get(id=seeded.mug.id)).remaining == 20
    assert "缺货" not in after.text and "圈子马克杯" in after.text.split('id="redemptions"')[1]


async def test_the_queue_exports_as_csv_with_a_bom_pending_first(sign_in: SignIn) -> None:
    operator = await make_user(role=Role.OPERATOR)
    seeded = await seed_mall(operator)
    seeded.member.nickname = "=HYPERLINK(1)"
    await seeded.member.save(update_fields=["nickname"])
    client = await sign_in(operator)

    answer = await client.get("/console/mall/redemptions.csv")
    rows = _rows(answer.content)

    assert answer.headers["content-type"].startswith("text/csv")
    assert rows[0][:4] == ["redemption_id", "status", "created_at", "item"]
    assert [r[1] for r in rows[1:]] == ["PENDING", "FULFILLED"]
    assert rows[1][3] == "圈子马克杯" and rows[1][8:11] == [
        "张三",
        "13800000000",
        "上海市徐汇区漕溪北路 1 号",
    ]
    assert rows[1][7] == "'=HYPERLINK(1)"  # a formula-like cell stays text


async def test_an_operator_creates_a_survey_from_the_form_and_closes_it(
    sign_in: SignIn, runtime: Runtime
) -> None:
    client = await sign_in(await make_user(role=Role.OPERATOR))
    csrf = csrf_of(await client.get("/console/surveys"))
    zone = ZoneInfo(runtime.settings.community_timezone)
    closes = (
        (datetime.now(UTC) + timedelta(days=7)).astimezone(zone).replace(second=0, microsecond=0)
    )
    form = {
        "_csrf": csrf,
        "title": "新版首页反馈",
        "closesAt": closes.strftime("%Y-%m-%dT%H:%M"),
        "pointsReward": "5",
        "qKind": ["SINGLE", "NPS", "TEXT"],
        "qRequired": ["1", "0", "1"],
        "qTitle": ["喜欢新首页吗", "推荐意愿", "  "],  # a block without a title is left out
        "qOptions": ["喜欢\n一般\n不喜欢\n", "", ""],
    }

    created = await client.post("/console/surveys/create", data=form)
    survey = await Survey.get(title="新版首页反馈")
    survey_id = to_global_id("Survey", survey.id)
    listed = await client.get("/console/surveys")
    closed = await client.post(f"/console/surveys/{survey_id}/close", data={"_csrf": csrf})
    after_close = await client.get("/console/surveys")

    assert created.status_code == 303
    assert survey.closes_at == closes
    assert survey.points_reward == 5
    questions = await survey.questions.all().order_by("position")  # type: ignore[attr-defined]
    assert [(q.kind.value, q.title, q.required) for q in questions] == [
        ("SINGLE", "喜欢新首页吗", True),
        ("NPS", "推荐意愿", False),
    ]
    assert "新版首页反馈" in listed.text and "进行中" in listed.text
    assert closed.status_code == 303
    assert "已结束" in after_close.text and "新版首页反馈" in after_close.text


async def test_results_show_counts_percents_average_nps_and_texts_and_export_csv(
    sign_in: SignIn, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    survey = await seed_survey(operator, runtime)
    client = await sign_in(operator)
    survey_id = to_global_id("Survey", survey.id)

    page = await client.get(f"/console/surveys/{survey_id}")
    export = await client.get(f"/console/surveys/{survey_id}/results.csv")
    rows = _rows(export.content)
    text = re.sub(r"\s+", " ", page.text)

    assert page.status_code == 200
    assert '<dd id="responses">5</dd>' in text
    assert '<td>问答</td><td class="num">3</td><td class="num">60.0%</td>' in text
    assert '<td>搜索</td><td class="num">3</td><td class="num">60.0%</td>' in text
    assert "<strong>3.60</strong> / 5" in text
    assert '<strong class="nps">+20.0</strong>' in text
    assert "推荐者 2 · 中立者 2 · 贬损者 1" in text
    assert text.count("data-survey-chart=") == 4
    assert text.index("客服回复慢") < text.index("希望多办线下活动")  # newest first
    assert rows[0] == [
        "question",
        "kind",
        "option",
        "count",
        "percent",
        "answered",
        "average",
        "nps",
    ]
    assert ["你最常用的功能", "SINGLE", "问答", "3", "60.0", "5", "", ""] in rows
    assert ["你有多大可能推荐给朋友", "NPS", "", "", "", "5", "8.0", "20.0"] in rows
    assert ["还有什么建议", "TEXT", "'=cmd|' /C calc'!A0"] in rows
