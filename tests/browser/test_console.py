"""The console in a real browser through the sandbox: log in, create a channel and download
its QR PNG, a sandbox customer scans it and the numbers move; a viewer cannot edit; a stale
edit shows the conflict. Screenshots of the main pages go to docs/console/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from bot.admin.roles import Role
from handlers.intake.channel_store import ChannelCodes
from handlers.intake.live import rules_of
from tests.browser.conftest import NEEDS_CHROMIUM
from tests.handlers.intake.stack import Stack
from tests.support.console import PASSWORD, USERS

pytestmark = NEEDS_CHROMIUM
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


async def open_console(
    browser: Browser, stack: Stack, role: Role, viewport: dict[str, int] = DESKTOP
) -> Page:
    """A new browser context logged in as ``role`` through the login form."""
    context = await browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]  # a dict, as Playwright takes it
        locale="zh-CN",
        accept_downloads=True,
    )
    page = await context.new_page()
    await page.goto(str(stack.siyu.make_url("/console/")))
    await expect(page).to_have_url(re.compile(r"/console/login"))
    await page.get_by_label("账号").fill(USERS[role])
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_test_id("who")).to_contain_text(USERS[role])
    return page


async def create_channel(page: Page) -> None:
    """Fill and save the new-channel form."""
    await page.get_by_role("link", name="渠道活码").first.click()
    await page.get_by_test_id("new-channel").click()
    await page.get_by_label("渠道 ID").fill("expo")
    await page.get_by_label("名称").fill("展会")
    await page.get_by_label("渠道参数（state）").fill("ch_expo")
    await page.locator('input[name="staff-0-userid"]').fill("lina")
    await page.locator('input[name="staff-0-weight"]').fill("2")
    await page.locator('input[name="staff-0-daily_cap"]').fill("50")
    await page.locator('input[name="staff-1-userid"]').fill("wangfang")
    await page.locator('input[name="staff-1-hours"]').fill("mon-sun 00:00-23:59")
    await page.get_by_label("备用成员").fill("manager")
    await page.get_by_label("自动标签").fill("来源/展会")
    await page.get_by_label("欢迎语").fill("您好 {customer_name}，欢迎来到展会！")
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("notice")).to_have_text("已保存。")


# Whether the ECharts chart [data-testid=ID] draws VALUE as today's (the last) point of SERIES.
CHART_SHOWS = """([id, series, value]) => {
  const element = document.querySelector(`[data-testid="${id}"]`);
  const chart = element && window.echarts && window.echarts.getInstanceByDom(element);
  const found = chart && chart.getOption().series.find((s) => s.name === series);
  return Boolean(found) && found.data[found.data.length - 1] === value;
}"""


async def test_login_channel_qr_scan_and_the_numbers_move(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    login = await (await browser.new_context(viewport=DESKTOP)).new_page()  # type: ignore[arg-type]
    await login.goto(str(stack.siyu.make_url("/console/login")))
    await login.screenshot(path=screenshots / "login.png")
    page = await open_console(browser, stack, Role.OPERATOR)
    await create_channel(page)
    await page.get_by_test_id("make-code").click()
    await expect(page.get_by_test_id("notice")).to_have_text("活码已生成。")
    await expect(page.get_by_test_id("qr")).to_be_visible()
    async with page.expect_download() as download_info:
        await page.get_by_test_id("download-qr").click()
    download = await download_info.value
    assert download.suggested_filename == "channel-expo.png"
    with open(await download.path(), "rb") as png:  # noqa: ASYNC230 - a small local file
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    await page.screenshot(path=screenshots / "channel.png", full_page=True)

    await page.get_by_role("link", name="首页").click()
    await expect(page.get_by_test_id("adds-today")).to_have_text("0")
    code = await ChannelCodes(stack.redis, stack.settings.wecom.corp_id).get("expo")
    assert code is not None
    for number in range(3):
        await stack.scan(code.config_id, f"wmBROWSER{number:04d}")
    await stack.drained()
    await expect(page.get_by_test_id("adds-today")).to_have_text("3", timeout=15_000)
    await expect(page.get_by_test_id("welcomes-sent")).to_have_text("3", timeout=15_000)
    await page.wait_for_function(CHART_SHOWS, arg=["chart-welcomes", "已发送", 3], timeout=25_000)
    await page.wait_for_timeout(6000)  # the charts' next refresh (5 s) and animation
    await page.screenshot(path=screenshots / "dashboard.png", full_page=True)

    await page.get_by_role("link", name="渠道活码").first.click()
    await expect(page.locator('tr[data-channel="expo"] [data-testid="adds"]')).to_have_text("3")
    await page.screenshot(path=screenshots / "channels.png", full_page=True)

    phone = await open_console(browser, stack, Role.OPERATOR, PHONE)
    await expect(phone.get_by_test_id("adds-today")).to_have_text("3", timeout=15_000)
    await phone.wait_for_timeout(1500)  # the charts' animation
    await phone.screenshot(path=screenshots / "dashboard-phone.png")


async def test_a_viewer_sees_no_edit_buttons_and_the_server_refuses_edits(
    browser: Browser, stack: Stack
) -> None:
    operator = await open_console(browser, stack, Role.OPERATOR)
    await create_channel(operator)
    page = await open_console(browser, stack, Role.VIEWER)
    await page.get_by_role("link", name="渠道活码").first.click()
    await expect(page.get_by_text("只读账号，仅可查看。")).to_be_visible()
    await expect(page.get_by_test_id("new-channel")).to_have_count(0)
    await page.get_by_role("link", name="展会").click()
    await expect(page.get_by_test_id("save")).to_have_count(0)
    await expect(page.get_by_label("名称")).to_be_disabled()
    # The same form posted anyway (its CSRF token is the viewer's own): refused.
    csrf = await page.locator('input[name="csrf"]').first.input_value()
    answer = await page.request.post(page.url, form={"csrf": csrf, "name": "改", "state": "x"})
    assert answer.status == 403
    assert "需要“运营”角色" in await answer.text()
    assert (await rules_of(stack.deps)).channels["expo"].name == "展会"


async def test_a_stale_edit_shows_the_conflict(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    page = await open_console(browser, stack, Role.OPERATOR)
    await create_channel(page)
    other = await page.context.new_page()
    await other.goto(page.url)
    await other.get_by_label("名称").fill("展会（B）")
    await other.get_by_test_id("save").click()
    await expect(other.get_by_test_id("notice")).to_have_text("已保存。")
    await page.get_by_label("名称").fill("展会（A）")
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("conflict")).to_contain_text(
        "其他人在您打开此页后修改了渠道规则"
    )
    await page.screenshot(path=screenshots / "conflict.png")
    assert (await rules_of(stack.deps)).channels["expo"].name == "展会（B）"
