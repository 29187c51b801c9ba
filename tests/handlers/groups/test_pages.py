"""客户群 and 群 SOP in the console through the sandbox: groups with member counts and today's
joins and quits, a group's members, welcome-template and SOP edits with the version read
(a stale one shows the conflict), errors by field, viewers and forged forms refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.admin.audit import Audit
from bot.admin.roles import Role
from bot.clock import ManualClock
from handlers.groups import pages as group_pages
from handlers.groups.context import Groups
from tests.support.console import add_accounts, csrf_of, log_in
from tests.support.stack import ClientFactory, Stack, start_stack


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    found = await start_stack(Stack, aiohttp_client, clock, redis_url, redis)
    await add_accounts(found.redis, found.settings.wecom.corp_id, clock.now())
    return found


async def group(stack: Stack, chat_id: str, name: str, owner: str, people: int) -> None:
    await stack.sandbox.control(
        "POST", "groups", {"chat_id": chat_id, "name": name, "owner": owner}
    )
    members = [f"wm{chat_id}{n:03d}" for n in range(people)]
    await stack.sandbox.control("POST", f"groups/{chat_id}/join", {"members": members, "scene": 3})
    await stack.drained()


def version_of(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found is not None
    return found.group(1)


def sop_form(csrf: str, version: str, **changes: Any) -> dict[str, Any]:
    return {
        "csrf": csrf,
        "version": version,
        "name": "monday_tips",
        "title": "周一干货",
        "text": "在群里分享本周干货",
        "content": "本周干货来啦～",
        "weekdays": "1",
        "at": "09:30",
        "labels": "VIP",
        "owners": "",
        "chat_ids": "",
        **changes,
    }


async def test_groups_with_counts_and_a_group_with_its_members(stack: Stack) -> None:
    await group(stack, "wrVIP1", "VIP会员群", "lina", 4)
    await group(stack, "wrTRY1", "新品体验群", "zhangwei", 2)
    await stack.sandbox.control(
        "POST", "groups/wrVIP1/quit", {"members": ["wmwrVIP1000"], "scene": 0}
    )
    await stack.drained()
    await log_in(stack.siyu, Role.VIEWER)
    page = await (await stack.siyu.get("/console/groups")).text()
    row = page[page.index('data-group="wrVIP1"') :].split("</tr>")[0]
    assert "VIP会员群" in row and re.findall(r'data-testid="\w+">(\d+)<', row)[:3] == [
        "4",  # the owner and 3 customers
        "4",
        "1",
    ]
    assert 'data-testid="joins-today">6<' in page and 'data-testid="quits-today">1<' in page
    assert "只读账号" in page and 'data-testid="save-welcome"' not in page
    detail = await (await stack.siyu.get("/console/groups/wrVIP1")).text()
    assert detail.count("data-member=") == 4 and "扫码" in detail and "VIP" in detail
    assert (await stack.siyu.get("/console/groups/wrNOSUCH")).status == 404


async def test_a_welcome_edit_saves_and_a_stale_one_shows_the_conflict(stack: Stack) -> None:
    csrf = await log_in(stack.siyu, Role.OPERATOR)
    page = await (await stack.siyu.get("/console/groups")).text()
    version = version_of(page)
    saved = await stack.siyu.post(
        "/console/groups/welcome/default",
        data={"csrf": csrf, "version": version, "text": "欢迎 %NICKNAME%！"},
    )
    assert saved.status == 200 and "已保存" in await saved.text()
    assert Groups.of(stack.deps).rules.welcome_templates[0].text == "欢迎 %NICKNAME%！"
    stale = await stack.siyu.post(
        "/console/groups/welcome/default",
        data={"csrf": csrf, "version": version, "text": "旧页面上的修改"},
    )
    assert stale.status == 409
    shown = await stale.text()
    assert "其他人在您打开此页后修改了群规则" in shown and "旧页面上的修改" in shown
    too_long = await stack.siyu.post(
        "/console/groups/welcome/default",
        data={"csrf": csrf, "version": str(int(version) + 1), "text": "长" * 1001},
    )
    assert too_long.status == 422 and 'data-testid="error-text"' in await too_long.text()
    assert Groups.of(stack.deps).rules.welcome_templates[0].text == "欢迎 %NICKNAME%！"
    [(_, entry), *_] = await Audit(stack.redis, stack.settings.wecom.corp_id).page(1)
    assert entry.actor == "user:olga" and "欢迎 %NICKNAME%！" in str(entry.diff)


async def test_an_sop_rule_is_created_edited_and_checked_by_field(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    new = await (await stack.siyu.get("/console/reminders/sop/new")).text()
    csrf, version = csrf_of(new), version_of(new)
    bad = await stack.siyu.post(
        "/console/reminders/sop/new",
        data={**sop_form(csrf, version, at="25:99", text=""), "weekdays": []},
    )
    assert bad.status == 422
    shown = await bad.text()
    for field in ("at", "text", "weekdays"):
        assert f'data-testid="error-{field}"' in shown, field
    assert "请至少选择一天" in shown and "周一干货" in shown
    made = await stack.siyu.post(
        "/console/reminders/sop/new", data=sop_form(csrf, version), allow_redirects=False
    )
    assert made.status == 303, await made.text()
    assert made.headers["Location"] == "/console/reminders/sop/monday_tips?done=created"
    again = await stack.siyu.post(
        "/console/reminders/sop/new", data=sop_form(csrf, str(int(version) + 1))
    )
    assert again.status == 409 and "已有同名的 SOP 规则" in await again.text()

    page = await (await stack.siyu.get("/console/reminders/sop/monday_tips")).text()
    edited = sop_form(csrf, version_of(page), at="20:00", weekdays=["1", "3"])
    saved = await stack.siyu.post("/console/reminders/sop/monday_tips", data=edited)
    assert saved.status == 200 and "已保存" in await saved.text()
    rule = Groups.of(stack.deps).rules.sop[-1]
    assert (rule.name, rule.at.hour, rule.weekdays, rule.groups.labels) == (
        "monday_tips",
        20,
        [1, 3],
        ["VIP"],
    )
    stale = await stack.siyu.post("/console/reminders/sop/monday_tips", data=edited)
    assert stale.status == 409 and "其他人在您打开此页后修改了群规则" in await stale.text()
    listed = await (await stack.siyu.get("/console/reminders/sop")).text()
    assert 'data-sop="monday_tips"' in listed and "周一、周三 20:00" in listed


async def test_viewers_and_forged_forms_are_refused(stack: Stack) -> None:
    csrf = await log_in(stack.siyu, Role.VIEWER)
    page = await (await stack.siyu.get("/console/reminders/sop/vip_weekly")).text()
    assert 'data-testid="save"' not in page and "disabled" in page
    listed = await (await stack.siyu.get("/console/reminders/sop")).text()
    assert 'data-testid="new-sop"' not in listed
    assert (await stack.siyu.get("/console/reminders/sop/new")).status == 403
    version = version_of(page)
    for path, data in (
        ("/console/reminders/sop/vip_weekly", sop_form(csrf, version, name="vip_weekly")),
        ("/console/reminders/sop/new", sop_form(csrf, version)),
        ("/console/groups/welcome/default", {"csrf": csrf, "version": version, "text": "改"}),
    ):
        refused = await stack.siyu.post(path, data=data)
        assert refused.status == 403 and "需要“运营”角色" in await refused.text(), path
    await log_in(stack.siyu, Role.OPERATOR)
    forged = await stack.siyu.post(
        "/console/reminders/sop/new", data={**sop_form("", version), "csrf": "forged"}
    )
    assert forged.status == 403 and "表单已过期" in await forged.text()
    assert [s.name for s in Groups.of(stack.deps).rules.sop] == ["vip_weekly", "trial_feedback"]


async def test_groups_come_a_page_at_a_time(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_pages, "LISTED", 1)
    await group(stack, "wrA", "甲群", "lina", 1)
    await group(stack, "wrB", "乙群", "lina", 1)
    await log_in(stack.siyu, Role.VIEWER)
    first = await (await stack.siyu.get("/console/groups")).text()
    assert 'data-group="wrA"' in first and 'data-group="wrB"' not in first
    assert 'data-testid="group-count">2<' in first and "?page=1" in first
    second = await (await stack.siyu.get("/console/groups?page=1")).text()
    assert 'data-group="wrB"' in second and 'data-testid="more"' not in second
    odd = await stack.siyu.get("/console/groups?page=x")
    assert odd.status == 200 and 'data-group="wrA"' in await odd.text()
