"""The operations pages in a real browser through the sandbox: an admin creates an API key
and sees it once; a viewer cannot edit an SOP rule; an operator edits one; a stale edit shows
the conflict. Screenshots of 提醒与SOP, 客户群 and 成员与API密钥 go to docs/console/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from playwright.async_api import Browser, expect

from bot.admin.roles import Role
from handlers.groups.context import Groups
from handlers.reminders.access import reminders_of
from handlers.reminders.records import Reminder, State, to_ms
from tests.browser.conftest import NEEDS_CHROMIUM
from tests.browser.test_console import open_console
from tests.handlers.intake.stack import Stack

pytestmark = NEEDS_CHROMIUM


async def some_reminders(stack: Stack) -> None:
    """A pending, an overdue and a missed reminder."""
    repo = reminders_of(stack.deps).repo
    now = stack.clock.now()
    for assignee, text, hours in (("lina", "回访张三", 2), ("zhangwei", "发报价", -3)):
        await repo.add(Reminder(0, assignee, text, to_ms(now + timedelta(hours=hours))))
    missed, _ = await repo.add(Reminder(0, "lina", "生日祝福", to_ms(now - timedelta(hours=5))))
    assert await repo.transition(missed, State.SENT)
    assert await repo.transition(missed.id, State.EXPIRED)


async def test_an_admin_creates_an_api_key_and_sees_it_once(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    page = await open_console(browser, stack, Role.ADMIN)
    await page.get_by_role("link", name="成员与API密钥").click()
    await page.get_by_test_id("key-form").get_by_label("角色").select_option("operator")
    await page.get_by_test_id("key-form").get_by_label("用途").fill("CRM 同步")
    await page.get_by_test_id("create-key").click()
    shown = page.get_by_test_id("new-key")
    await expect(shown).to_have_text(re.compile(r"^siyu_[0-9a-f]{12}_\S+$"))
    key = (await shown.inner_text()).strip()
    await page.screenshot(path=screenshots / "members.png", full_page=True)
    answer = await page.request.get(
        str(stack.siyu.make_url("/api/v1/whoami")), headers={"Authorization": f"Bearer {key}"}
    )
    assert (await answer.json())["role"] == "operator"
    await page.reload()  # the page after the redirect: no second key, the key not shown again
    await expect(page.get_by_test_id("new-key")).to_have_count(0)
    assert key not in await page.content()
    row = page.locator("tr[data-key]")
    await expect(row).to_contain_text("CRM 同步")
    await expect(row.get_by_test_id("last-used")).not_to_have_text("从未使用")


async def test_a_viewer_cannot_edit_an_sop_rule(browser: Browser, stack: Stack) -> None:
    page = await open_console(browser, stack, Role.VIEWER)
    await expect(page.get_by_role("link", name="成员与API密钥")).to_have_count(0)
    await page.get_by_role("link", name="提醒与SOP").click()
    await page.get_by_role("link", name="群 SOP").click()
    await expect(page.get_by_text("只读账号，仅可查看。")).to_be_visible()
    await expect(page.get_by_test_id("new-sop")).to_have_count(0)
    await page.get_by_role("link", name="VIP群每周新品").click()
    await expect(page.get_by_test_id("save")).to_have_count(0)
    await expect(page.get_by_label("提醒群主的内容")).to_be_disabled()
    csrf = await page.locator('input[name="csrf"]').first.input_value()
    answer = await page.request.post(
        page.url, form={"csrf": csrf, "version": "1", "name": "vip_weekly", "text": "改"}
    )
    assert answer.status == 403 and "需要“运营”角色" in await answer.text()
    members = await page.request.get(str(stack.siyu.make_url("/console/members")))
    assert members.status == 403
    assert Groups.of(stack.deps).rules.sop[0].text == "在VIP群发布本周新品"


async def test_an_operator_edits_an_sop_rule(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    await some_reminders(stack)
    page = await open_console(browser, stack, Role.OPERATOR)
    await page.get_by_role("link", name="提醒与SOP").click()
    await expect(page.locator("tr[data-reminder]")).to_have_count(3)
    await expect(page.get_by_test_id("status").first).to_be_visible()
    await page.screenshot(path=screenshots / "reminders.png", full_page=True)
    await page.get_by_label("状态").select_option("overdue")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.locator("tr[data-reminder]")).to_have_count(1)
    await expect(page.locator("tr[data-reminder]")).to_contain_text("发报价")

    await page.get_by_role("link", name="群 SOP").click()
    await page.get_by_role("link", name="VIP群每周新品").click()
    await page.get_by_label("提醒时间").fill("20:30")
    await page.get_by_label("周三").check()
    await page.get_by_label("提醒群主的内容").fill("")
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("error-text")).to_have_text("请填写提醒内容。")
    await page.get_by_label("提醒群主的内容").fill("在VIP群发布本周新品和直播预告")
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("notice")).to_have_text("已保存。")
    await page.screenshot(path=screenshots / "sop.png", full_page=True)
    rule = Groups.of(stack.deps).rules.sop[0]
    assert (rule.text, rule.at.strftime("%H:%M"), rule.weekdays) == (
        "在VIP群发布本周新品和直播预告",
        "20:30",
        [3, 5],
    )


async def test_a_stale_sop_edit_shows_the_conflict(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    await stack.sandbox.control(
        "POST", "groups", {"chat_id": "wrVIPB", "name": "VIP会员群", "owner": "lina"}
    )
    await stack.sandbox.control(
        "POST", "groups/wrVIPB/join", {"members": ["wmB001", "wmB002"], "scene": 3}
    )
    await stack.drained()
    page = await open_console(browser, stack, Role.OPERATOR)
    await page.get_by_role("link", name="客户群").click()
    await expect(page.locator('tr[data-group="wrVIPB"] [data-testid="members"]')).to_have_text("3")
    await page.screenshot(path=screenshots / "groups.png", full_page=True)

    await page.goto(str(stack.siyu.make_url("/console/reminders/sop/vip_weekly")))
    other = await page.context.new_page()
    await other.goto(page.url)
    await other.get_by_label("名称").fill("VIP群新品（B）")
    await other.get_by_test_id("save").click()
    await expect(other.get_by_test_id("notice")).to_have_text("已保存。")
    await page.get_by_label("名称").fill("VIP群新品（A）")
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("conflict")).to_contain_text(
        "其他人在您打开此页后修改了群规则"
    )
    await expect(page.get_by_label("名称")).to_have_value("VIP群新品（A）")  # nothing typed is lost
    await page.screenshot(path=screenshots / "sop-conflict.png")
    assert Groups.of(stack.deps).rules.sop[0].title == "VIP群新品（B）"
