"""内容日历 and 内容运营 in a real browser, on test_browser.py's server, Chromium and signed-in
desks: a post written in the calendar goes out in LATEST when the publishing job runs, a
scheduled post dragged to another day keeps its time of day, and a collection dragged into
a new order keeps it. Screenshots: test-artifacts/console/30-calendar.png, 31-curation.png."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from api.ids import to_global_id
from domain import scheduling, trending
from domain.featured import PinScope, feature_post, pin_post
from domain.models import Post, PostStatus, Role, Topic
from domain.posts import PostDraft
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.console.test_browser import Desk, chromium, desk, server, shot  # noqa: F401
from tests.factories import (
    NO_SCREENING,
    RULES,
    make_collection,
    make_event,
    make_post,
    make_user,
    token_for,
)

ZONE = RULES.calendar.zone


async def test_a_post_written_in_the_calendar_goes_out_and_a_dragged_one_keeps_its_time(
    runtime: Runtime,
    api: Api,
    desk: tuple[Desk, list[str]],  # noqa: F811 (test_browser.py's fixture)
) -> None:
    signed_in, errors = desk
    operator = await make_user(role=Role.OPERATOR, nickname="运营小周")
    now = datetime.now(UTC)
    # Around it: a published operator post, overlapping global pins, a feature, an event.
    first = await make_post(operator, "社区公约更新，请大家阅读", title="社区公约更新")
    second = await make_post(operator, "双十二活动预告", title="双十二活动预告")
    await pin_post(operator, first.id, PinScope.GLOBAL, until=now + timedelta(days=3))
    await pin_post(operator, second.id, PinScope.GLOBAL, until=now + timedelta(days=2))
    await feature_post(operator, (await make_post(title="银杏大道")).id, rules=RULES)
    await make_event(operator, "周末读书会", starts_in=timedelta(days=1, hours=2))
    winter = await make_collection(operator, "冬日读书专题")
    later_local = (datetime.now(ZONE) + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    later = await scheduling.schedule_post(
        operator,
        PostDraft(body="下周的摄影投稿主题：冬日光影", title="摄影投稿主题"),
        later_local,
        NO_SCREENING,
        rules=RULES,
    )

    page = await signed_in(operator)
    await page.get_by_role("link", name="内容日历").click()
    await expect(page.get_by_role("heading", name="内容日历")).to_be_visible()
    soon = datetime.now(ZONE) + timedelta(minutes=3)
    await page.locator("#s-title").fill("今晚的新人欢迎帖")
    await page.locator("#s-body").fill("欢迎新朋友！说说你是怎么发现圈子的 #新人报到#")
    await page.locator("#s-topics").fill("新人报到")
    await page.locator("#s-at").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name="排期").click()
    await expect(page.get_by_text("已排期", exact=True)).to_be_visible()
    scheduled = await Post.get(title="今晚的新人欢迎帖")
    assert scheduled.status == PostStatus.SCHEDULED
    assert scheduled.publish_at == soon.replace(second=0, microsecond=0).astimezone(UTC)
    chip = page.locator(f'[data-post-id="{to_global_id("Post", scheduled.id)}"]')
    await expect(chip).to_contain_text(soon.strftime("%H:%M"))
    await expect(page.locator(".overlaps")).to_contain_text("全局置顶时间重叠")
    await expect(page.locator(".chip.kind-pin.overlap").first).to_be_visible()
    await expect(page.locator(".chip.kind-published_post.overlap")).to_have_count(0)
    await expect(page.locator("#calendar .chip.kind-collection")).to_contain_text("冬日读书专题")

    # Drag the later post one day on (back one on a Sunday): it keeps 10:00.
    await page.goto(page.url.split("?")[0] + f"?view=week&d={later_local.date()}")
    step = timedelta(days=-1 if later_local.weekday() == 6 else 1)
    target = (later_local + step).date()
    dragged = page.locator(f'[data-post-id="{to_global_id("Post", later.id)}"]')
    await dragged.drag_to(page.locator(f'[data-day="{target}"]'))
    await expect(page.get_by_text("已改期", exact=True)).to_be_visible()
    await later.refresh_from_db()
    assert later.publish_at == (later_local + step).astimezone(UTC)
    await page.goto(page.url.split("?")[0])
    await page.wait_for_timeout(200)
    await shot(page, "30-calendar")

    # Its time has come: publish_at moved a few minutes back by SQL rather than waiting, and
    # the function the quanzi.publish_scheduled_posts job wraps runs once.
    await Post.filter(id=scheduled.id).update(publish_at=datetime.now(UTC) - timedelta(seconds=1))
    published = await scheduling.publish_due(NO_SCREENING, rules=RULES)
    assert published == [scheduled.id]
    latest = await api.op(
        "Feed", {"kind": "LATEST", "first": 10}, token=token_for(runtime, operator)
    )
    titles = [e["node"]["title"] for e in latest["data"]["feed"]["edges"]]
    assert "今晚的新人欢迎帖" in titles

    # A chip leads to what runs it: the collection's chip to its section of 内容运营.
    await page.locator("#calendar .chip.kind-collection a").first.click()
    gid = to_global_id("Collection", winter.id)
    await page.wait_for_url(f"**/console/curation#collection-{gid}")
    await expect(page.locator(f"#collection-{gid}")).to_contain_text("冬日读书专题")
    assert errors == []


async def test_a_collection_dragged_into_a_new_order_keeps_it(
    runtime: Runtime,
    api: Api,
    desk: tuple[Desk, list[str]],  # noqa: F811 (test_browser.py's fixture)
) -> None:
    signed_in, errors = desk
    operator = await make_user(role=Role.OPERATOR, nickname="运营小林")
    author = await make_user(nickname="摄影师阿杰")
    posts = [
        await make_post(author, f"{title} #城市漫步#", title=title)
        for title in ("外滩的清晨", "武康路的梧桐", "苏州河步道")
    ]
    for n in range(3):
        await make_post(author, f"今天读完了第 {n + 1} 本书 #读书打卡#")
    await make_post(author, "周末骑行去滴水湖 #骑行#")
    collection = await make_collection(operator, "城市漫步", posts=posts, description="上海的街道")
    await make_collection(operator, "冬日读书")
    pinned = await make_post(author, "圈子摄影大赛开始报名", title="摄影大赛报名")
    await pin_post(
        operator, pinned.id, PinScope.GLOBAL, until=datetime.now(UTC) + timedelta(hours=30)
    )
    await feature_post(operator, posts[1].id, rules=RULES)
    walk, ride = await Topic.get(name="城市漫步"), await Topic.get(name="骑行")
    yesterday = RULES.calendar.today() - timedelta(days=1)
    await runtime.store.redis.hset(
        trending._ranks_key(runtime.store, yesterday),
        mapping={str(ride.id): 1, str(walk.id): 5},
    )
    await trending.refresh(runtime.store, calendar=RULES.calendar)

    page = await signed_in(operator)
    await page.get_by_role("link", name="内容运营").click()
    await expect(page.get_by_role("heading", name="内容运营")).to_be_visible()
    await expect(page.locator("#trending tr", has_text="城市漫步")).to_contain_text("▲")
    await expect(page.locator("#trending tr", has_text="骑行")).to_contain_text("▼ 2")
    await expect(page.locator("#pins-global .countdown")).to_contain_text("1 天 5 小时")
    items = page.locator(f'ol[data-collection-id="{to_global_id("Collection", collection.id)}"] li')
    await expect(items.locator(".post-title")).to_have_text(
        ["外滩的清晨", "武康路的梧桐", "苏州河步道"]
    )

    await items.nth(2).drag_to(items.nth(0), target_position={"x": 20, "y": 3})
    await expect(page.locator(".toast")).to_contain_text("顺序已保存")
    await expect(items.locator(".post-title")).to_have_text(
        ["苏州河步道", "外滩的清晨", "武康路的梧桐"]
    )
    await page.wait_for_timeout(200)
    await shot(page, "31-curation")

    answer = await api.op(
        "CollectionPosts", {"id": to_global_id("Collection", collection.id), "first": 10}
    )
    order = [e["node"]["title"] for e in answer["data"]["collection"]["posts"]["edges"]]
    assert order == ["苏州河步道", "外滩的清晨", "武康路的梧桐"]

    # A post found by its words is pinned from the page (already featured: nothing to do).
    await page.locator("#find-q").fill("苏州河")
    await page.get_by_role("button", name="搜索帖子").click()
    row = page.locator("#found tr", has_text="苏州河步道")
    await expect(row).to_be_visible()
    await expect(page.get_by_role("heading", name="置顶或精选一条帖子")).to_be_in_viewport()
    await page.evaluate("window.scrollTo(0, 0)")  # a full-page shot from the top
    await shot(page, "32-find-to-pin")
    await row.get_by_role("button", name="置顶").click()
    await expect(page.get_by_text("已置顶", exact=True).first).to_be_visible()
    await expect(page.locator("#pins-global")).to_contain_text("苏州河步道")
    assert errors == []
