"""积分商城 and 问卷 in a real browser, on test_browser.py's server, Chromium and signed-in
desks: the mall's items and queue on seeded data, the survey form growing a question, and
the results drawn as charts, with no error logged. Screenshots:
test-artifacts/console/50-mall.png, 51-survey.png."""

from __future__ import annotations

from playwright.async_api import expect

from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.console.loop_data import seed_mall, seed_survey
from tests.console.test_browser import Desk, chromium, desk, server, shot  # noqa: F401
from tests.factories import make_user


async def test_the_mall_and_a_surveys_results_on_seeded_data(
    runtime: Runtime,
    desk: tuple[Desk, list[str]],  # noqa: F811 (test_browser.py's fixture)
) -> None:
    signed_in, errors = desk
    operator = await make_user(role=Role.OPERATOR, nickname="运营小陈")
    await seed_mall(operator)
    await seed_survey(operator, runtime)
    page = await signed_in(operator)

    await page.get_by_role("link", name="积分商城").click()
    await expect(page.get_by_role("heading", name="积分商城", exact=True)).to_be_visible()
    await expect(page.locator("#mall-items tbody tr:not(.codes-row)")).to_have_count(3)
    first_row = page.locator("#redemptions tbody tr").first
    await expect(first_row).to_contain_text("待发货")
    await expect(first_row).to_contain_text("上海市徐汇区漕溪北路 1 号")
    await expect(first_row.get_by_role("button", name="发货")).to_be_visible()
    await page.locator("#mall-items details summary").first.click()
    await shot(page, "50-mall")

    await page.get_by_role("link", name="问卷").click()
    await expect(page.locator("#new-survey fieldset.question")).to_have_count(1)
    await page.wait_for_load_state()  # the page's deferred script adds questions
    await page.get_by_role("button", name="添加题目").click()
    blocks = page.locator("#new-survey fieldset.question")
    await expect(blocks).to_have_count(2)
    await blocks.nth(1).locator("select[name=qKind]").select_option("NPS")
    await expect(blocks.nth(1).locator("textarea[name=qOptions]")).to_be_hidden()
    await expect(blocks.nth(0).locator("textarea[name=qOptions]")).to_be_visible()

    await page.get_by_role("link", name="社区满意度调查").click()
    await expect(page.locator("#responses")).to_have_text("5")
    charts = page.locator("#survey-results [data-survey-chart]")
    await expect(charts).to_have_count(4)
    await expect(page.locator("#survey-results [data-survey-chart] canvas").first).to_be_visible()
    await expect(page.locator("[data-survey-chart]:not(:has(canvas))")).to_have_count(0)
    await expect(page.locator(".nps")).to_have_text("+20.0")
    await page.wait_for_timeout(300)
    await shot(page, "51-survey")
    assert errors == []
