"""The console in a real browser: Debian's Chromium driven by Playwright (never `playwright
install`), against the app on a real port. Each test saves screenshots under
test-artifacts/console/ for a person to look at."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from api.ids import to_global_id
from domain.console_login import create_login_link
from domain.models import Post, PostStatus, ReviewStage, ReviewStatus, ReviewTask, Role, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.console.numbers import seed_history
from tests.factories import make_post, make_report, make_review_task, make_user, token_for
from tests.serving import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
UNDO_SECONDS = 1.0

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)"
)

Desk = Callable[[User], Awaitable[Page]]


@pytest.fixture(scope="module")
async def server(runtime: Runtime) -> AsyncIterator[str]:
    async with serving(runtime, console_undo_seconds=UNDO_SECONDS) as base:
        yield f"http://{base}"


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        yield browser
        await browser.close()


@pytest.fixture
async def desk(
    runtime: Runtime, server: str, chromium: Browser
) -> AsyncIterator[tuple[Desk, list[str]]]:
    """Open a browser of its own for a staff member, signed in through a one-time link; the
    list collects every error the pages log (a refused script or style would show here)."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    async def signed_in(user: User) -> Page:
        context = await chromium.new_context(
            locale="zh-CN", viewport={"width": 1400, "height": 900}, reduced_motion="reduce"
        )
        contexts.append(context)
        page = await context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        token = await create_login_link(runtime.store, user)
        await page.goto(f"{server}/console/login/link?token={token}")
        await page.get_by_role("button", name="确认登录").click()
        await page.wait_for_url(f"{server}/console/")
        return page

    yield signed_in, errors
    for context in contexts:
        await context.close()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def decide_current(page: Page, label: str) -> None:
    """Click a decision in the detail pane and wait out the undo window."""
    await page.locator("#detail").get_by_role("button", name=label).click()
    await expect(page.locator(".toast").first).to_be_visible()
    await page.wait_for_timeout(UNDO_SECONDS * 1000 + 400)


async def test_a_moderator_signs_in_with_a_link_and_every_page_shows_its_work(
    runtime: Runtime, server: str, chromium: Browser, desk: tuple[Desk, list[str]]
) -> None:
    signed_in, errors = desk
    login = await chromium.new_page(locale="zh-CN")
    await login.goto(f"{server}/console/login")
    await expect(login.get_by_text("用圈子小程序扫码")).to_be_visible()
    await shot(login, "01-login")
    moderator = await make_user(role=Role.MODERATOR, nickname="审核员小李")
    token = await create_login_link(runtime.store, moderator)
    await login.goto(f"{server}/console/login/link?token={token}")
    await expect(login.get_by_text("以「审核员小李」的身份登录运营台？")).to_be_visible()
    await shot(login, "01-link-confirm")
    await login.get_by_role("button", name="确认登录").click()
    await login.wait_for_url(f"{server}/console/")
    await login.close()

    spammer = await make_user(nickname="广告号")
    post = await make_post(spammer, "加微信领红包，海外代购正品")
    await make_report(post)
    operator = await make_user(role=Role.ADMIN, nickname="运营小王")
    page = await signed_in(operator)
    await expect(page.get_by_role("heading", name="今日待办")).to_be_visible()
    await shot(page, "02-home")

    await page.get_by_role("link", name="敏感词").click()
    await expect(page).to_have_url(re.compile(r"/console/words"))
    await page.wait_for_load_state("load")  # htmx is deferred: the forms below need it
    await page.locator('textarea[name="words"]').fill("代购\n加微信")
    await page.get_by_role("button", name="批量添加").click()
    await expect(page.get_by_text("已添加 2 个词")).to_be_visible()
    await expect(page.locator("#word-table")).to_contain_text("加微信")
    await page.locator('textarea[name="text"]').fill("😀 这里有人 加 微 信 做代购")
    await page.get_by_role("button", name="检测文本").click()
    await expect(page.locator("#check-result mark").first).to_be_visible()
    await shot(page, "03-words")

    await page.get_by_role("link", name="审核工作台").click()
    await expect(page).to_have_url(re.compile(r"/console/review"))
    await page.wait_for_load_state("load")
    await page.locator(".row").first.click()
    await expect(page.locator("#detail .task")).to_be_visible()
    await shot(page, "04-review")

    await page.goto(f"{server}/console/members/{to_global_id('User', spammer.id)}")
    await page.locator('#sanction-card input[name="reason"]').fill("广告刷屏")
    await page.locator("#sanction-card").get_by_role("button", name="处罚该成员").click()
    await expect(page.get_by_text("已处罚")).to_be_visible()
    await shot(page, "05-member")

    await page.get_by_role("link", name="举报与处罚").click()
    await expect(page.get_by_role("cell", name="广告号")).to_be_visible()
    await shot(page, "06-sanctions")
    await page.get_by_role("link", name="操作日志").click()
    await expect(page.locator("code", has_text="MUTE").first).to_be_visible()
    await shot(page, "07-log")
    await page.get_by_role("link", name="角色").click()
    await shot(page, "08-roles")
    assert errors == []


async def test_a_post_goes_first_second_final_through_the_workbench_buttons(
    runtime: Runtime, api: Api, desk: tuple[Desk, list[str]]
) -> None:
    signed_in, errors = desk
    post = await make_post(await make_user(), "可疑的帖子：低价出售账号")
    task = await make_review_task(post)
    first = await signed_in(await make_user(role=Role.MODERATOR, nickname="张三"))
    second = await signed_in(await make_user(role=Role.MODERATOR, nickname="李四"))
    operator = await signed_in(await make_user(role=Role.OPERATOR, nickname="王五"))

    await first.get_by_role("link", name="审核工作台").click()
    # The workbench's script is deferred: a row clicked before the page's load event fired
    # had no handler yet (a flake on a loaded machine).
    await expect(first).to_have_url(re.compile(r"/console/review"))
    await first.wait_for_load_state("load")
    await first.locator(".row").first.click()
    await first.locator('#detail select[name="violation"]').select_option("FRAUD")
    await decide_current(first, "驳回")
    await expect(first.locator(".row .result-ok")).to_contain_text("已驳回")

    await first.goto(first.url.split("/console/")[0] + "/console/review?stage=SECOND")
    await first.locator(".row").first.click()
    await expect(first.get_by_text("初审由 张三 处理，你不能复审")).to_be_visible()
    await shot(first, "09-second-rule")

    await second.goto(second.url + "review?stage=SECOND")
    await second.locator(".row").first.click()
    await expect(second.locator("#detail").get_by_text("初审由 张三 处理")).to_be_visible()
    await decide_current(second, "升级")
    await expect(second.locator(".row .result-ok")).to_contain_text("已升级")

    await operator.goto(operator.url + "review?stage=FINAL")
    await operator.locator(".row").first.click()
    await expect(operator.locator("#detail .history li")).to_have_count(2)
    await shot(operator, "10-final")
    await decide_current(operator, "通过")
    await expect(operator.locator(".row .result-ok")).to_contain_text("已通过")

    await task.refresh_from_db()
    await post.refresh_from_db()
    assert task.status == ReviewStatus.APPROVED and task.stage == ReviewStage.FINAL
    assert post.status == PostStatus.PUBLISHED
    queue = await api.op(
        "ReviewWorkbench",
        {"stage": "FINAL"},
        token=token_for(runtime, await User.get(nickname="王五")),
    )
    assert queue["data"]["reviewQueue"]["totalCount"] == 0
    assert errors == []


async def test_a_bulk_rejection_shows_each_result_and_one_refusal(
    runtime: Runtime, api: Api, desk: tuple[Desk, list[str]]
) -> None:
    signed_in, errors = desk
    me = await make_user(role=Role.MODERATOR, nickname="小赵")
    for i in range(3):
        await make_review_task(await make_post(await make_user(), f"广告 {i}"))
    held = await make_review_task(await make_post(await make_user(), "别人正在看的"))
    other = await make_user(role=Role.MODERATOR, nickname="老钱")
    claimed = await api.op(
        "ClaimReviewTask",
        {"taskId": to_global_id("ReviewTask", held.id)},
        token=token_for(runtime, other),
    )
    assert claimed["data"]["claimReviewTask"]["task"]["claimedBy"]["nickname"] == "老钱"
    page = await signed_in(me)
    await page.goto(page.url + "review?stage=FIRST")

    picks = page.locator(".row .pick")
    await expect(picks).to_have_count(4)
    await picks.nth(0).click()
    await picks.nth(3).click(modifiers=["Shift"])  # the range, the claimed task included
    await expect(page.locator("#bulk-count")).to_have_text("4")
    await page.locator("#bulk-violation").select_option("SPAM")
    await page.locator("#bulk").get_by_role("button", name="驳回").click()
    await page.wait_for_timeout(UNDO_SECONDS * 1000 + 400)

    await expect(page.locator(".row .result-ok")).to_have_count(3)
    refused = page.locator(f"#row-{to_global_id('ReviewTask', held.id)} .result-bad")
    await expect(refused).to_have_text("已被他人领取或已处理")
    await shot(page, "11-bulk")
    assert await ReviewTask.filter(stage=ReviewStage.SECOND).count() == 3
    assert errors == []


async def test_a_claimed_task_is_refused_to_another_moderator_by_name(
    desk: tuple[Desk, list[str]],
) -> None:
    signed_in, errors = desk
    task = await make_review_task(await make_post(await make_user(), "等人领取"))
    li = await signed_in(await make_user(role=Role.MODERATOR, nickname="老李"))
    wang = await signed_in(await make_user(role=Role.MODERATOR, nickname="小王"))

    await li.goto(li.url + "review")
    await li.locator(".row").first.click()
    await li.locator("#detail").get_by_role("button", name="领取").click()
    await expect(li.locator("#detail").get_by_text("老李 已领取")).to_be_visible()

    await wang.goto(wang.url + "review")
    await expect(wang.locator(".row .claim")).to_have_text("老李 处理中")
    await wang.locator(".row").first.click()
    await expect(wang.locator("#detail").get_by_text("老李 正在处理这条任务")).to_be_visible()
    await decide_current(wang, "通过")
    await expect(wang.locator(".row .result-bad")).to_contain_text("老李")
    await shot(wang, "12-claimed")
    await task.refresh_from_db()
    assert task.status == ReviewStatus.OPEN
    assert errors == []


async def test_undo_sends_nothing(desk: tuple[Desk, list[str]]) -> None:
    signed_in, errors = desk
    task = await make_review_task(await make_post(await make_user(), "差点被误删"))
    page = await signed_in(await make_user(role=Role.MODERATOR))
    await page.goto(page.url + "review")

    await page.keyboard.press("j")  # the first task, by keys alone
    await expect(page.locator("#detail .task")).to_be_visible()
    await page.keyboard.press("r")
    await page.locator(".toast").get_by_role("button", name="撤销").click()
    await expect(page.get_by_text("已撤销，未提交")).to_be_visible()
    await shot(page, "13-undo")
    await page.wait_for_timeout(UNDO_SECONDS * 1000 + 600)

    await task.refresh_from_db()
    assert task.status == ReviewStatus.OPEN and task.stage == ReviewStage.FIRST
    assert not await page.locator(".row.done").count()
    assert errors == []


async def test_a_member_is_refused_at_the_console(
    runtime: Runtime, api: Api, desk: tuple[Desk, list[str]]
) -> None:
    signed_in, _ = desk
    moderator = await make_user(role=Role.MODERATOR)
    page = await signed_in(moderator)
    admin = await make_user(role=Role.ADMIN)
    await api.op(
        "SetUserRole",
        {"userId": to_global_id("User", moderator.id), "role": "MEMBER"},
        token=token_for(runtime, admin),
    )

    answer = await page.reload()

    assert answer is not None and answer.status == 403
    await expect(page.get_by_text("运营台仅对版主、运营和管理员开放")).to_be_visible()
    await shot(page, "14-member-refused")
    assert await Post.all().count() == 0


async def test_the_numbers_pages_draw_every_chart_on_a_few_weeks_of_history(
    server: str, desk: tuple[Desk, list[str]]
) -> None:
    signed_in, errors = desk
    await seed_history()
    page = await signed_in(await make_user(role=Role.OPERATOR, nickname="运营小林"))

    await page.get_by_role("link", name="数据看板").click()
    await expect(page.get_by_role("heading", name="数据看板")).to_be_visible()
    charts = page.locator("#numbers [data-chart]")
    await expect(charts).to_have_count(15)  # 8 sparklines, 6 charts, moderation
    await expect(page.locator("#numbers [data-chart] canvas").first).to_be_visible()
    await expect(page.locator("#numbers [data-chart]:not(:has(canvas))")).to_have_count(0)
    await page.wait_for_timeout(300)
    await shot(page, "20-dashboard")
    drawn = await page.evaluate(
        """() => [...document.querySelectorAll('#numbers [data-chart]')].map((el) => {
          const option = echarts.getInstanceByDom(el).getOption();
          const save = (option.toolbox || [])[0];
          return [el.dataset.chart, option.animation, Boolean(save && save.feature.saveAsImage)];
        })"""
    )
    assert {animation for _, animation, _ in drawn} == {False}  # reduced motion: still
    assert all(png for kind, _, png in drawn if kind != "spark")  # each chart saves a PNG

    await page.get_by_role("link", name="增长与留存").click()
    await expect(page.locator("#numbers [data-chart]")).to_have_count(3)
    await expect(page.locator("#numbers [data-chart] canvas").first).to_be_visible()
    await expect(page.locator("#numbers [data-chart]:not(:has(canvas))")).to_have_count(0)
    await expect(page.locator("#at-risk a").first).to_be_visible()
    await page.wait_for_timeout(300)
    await shot(page, "21-growth")
    assert errors == []
