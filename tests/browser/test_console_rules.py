"""The rules side of the console in a real browser through the sandbox: add a keyword and see
the 试一试 box flag it; edit a welcome and see the phone preview change as one types; a viewer
sees no edit buttons. Screenshots go to docs/console/ (SIYU_SCREENSHOTS=1)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from bot.admin.roles import Role
from handlers.intake.live import rules_of
from tests.browser.conftest import NEEDS_CHROMIUM
from tests.browser.test_console import open_console
from tests.handlers.intake.stack import Stack

pytestmark = NEEDS_CHROMIUM
WORD = "紫罗兰暗号"
WELCOME = "{customer_name}，欢迎来到{channel}！我是{staff_name}"


async def test_a_keyword_added_is_flagged_by_the_try_box(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    page = await open_console(browser, stack, Role.OPERATOR)
    await page.get_by_role("link", name="敏感词与意图").click()
    await page.get_by_test_id("try-text").fill(f"周末见，{WORD}别忘了")
    await page.get_by_test_id("try-submit").click()
    await expect(page.get_by_test_id("trial-clean")).to_be_visible()
    await page.get_by_test_id("add-list").fill("diversion")
    await page.get_by_test_id("add-line").fill(WORD)
    await page.get_by_test_id("add-entry").click()
    await expect(page.get_by_test_id("notice")).to_have_text("词条已添加。")
    await expect(page.locator(f'tr[data-word="{WORD}"]')).to_have_count(1)
    await page.get_by_test_id("try-text").fill(f"周末见，{WORD}别忘了，这个多少钱？")
    await page.get_by_test_id("try-submit").click()
    await expect(page.get_by_test_id("trial-word")).to_have_text(WORD)
    await expect(page.get_by_test_id("trial-intent")).to_contain_text("price")
    # a staff member writes the new word to the app: the worker flags it, the review list shows it
    await stack.sandbox.control("POST", "staff/zhangwei/message", {"text": f"发你{WORD}了"})
    await stack.drained()
    await page.reload()
    await expect(page.get_by_test_id("hits")).to_contain_text(f"【{WORD}】")
    await expect(page.get_by_test_id("hits")).to_contain_text("待处理")
    await page.screenshot(path=screenshots / "moderation.png", full_page=True)


async def test_editing_a_welcome_changes_the_phone_preview(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    page = await open_console(browser, stack, Role.OPERATOR)
    await page.get_by_role("link", name="欢迎语").click()
    await page.locator('tr[data-scope="channel:poster_a"] a').click()
    phone = page.get_by_test_id("phone-text")
    await expect(phone).to_contain_text("小明您好！感谢您扫码添加")
    await expect(page.locator('[data-testid="phone-attachment"][data-kind="link"]')).to_be_visible()
    await page.get_by_test_id("welcome-text").fill(
        "{customer_name}，欢迎来到{channel}！我是{staff_name}"
    )
    await expect(phone).to_have_text("小明，欢迎来到海报A！我是张伟")  # before saving
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("notice")).to_have_text("已保存。")
    await expect(phone).to_have_text("小明，欢迎来到海报A！我是张伟")
    welcome = (await rules_of(stack.deps)).channels["poster_a"].welcome
    assert welcome is not None and welcome.text == WELCOME
    await page.screenshot(path=screenshots / "welcome.png", full_page=True)


async def test_a_viewer_sees_no_edit_buttons_on_the_rules_pages(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    page = await open_console(browser, stack, Role.VIEWER)
    await page.get_by_role("link", name="敏感词与意图").click()
    await expect(page.get_by_text("只读账号，仅可查看。")).to_be_visible()
    await expect(page.get_by_test_id("add-form")).to_have_count(0)
    await expect(page.get_by_test_id("delete-entry")).to_have_count(0)
    await page.get_by_role("link", name="欢迎语").click()
    await page.get_by_test_id("open-default").click()
    await expect(page.get_by_test_id("save")).to_have_count(0)
    await expect(page.get_by_test_id("welcome-text")).to_be_disabled()
    await page.get_by_role("link", name="话术库").click()
    await expect(page.get_by_test_id("new-reply")).to_have_count(0)
    await page.screenshot(path=screenshots / "replies.png", full_page=True)
    await page.get_by_role("link", name="价目表").click()
    await expect(page.get_by_test_id("save")).to_have_count(0)
    await page.get_by_role("link", name="FAQ 自动回复").click()
    await expect(page.get_by_test_id("new-answer")).to_have_count(0)
    await page.screenshot(path=screenshots / "faq.png", full_page=True)
