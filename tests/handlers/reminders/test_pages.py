"""提醒 in the console: reminders by staff member and status, a page at a time; bad filters
shown next to their field; every role may look."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis.asyncio import Redis

from bot.admin.roles import Role
from bot.clock import ManualClock
from handlers.reminders import overview
from handlers.reminders import pages as reminder_pages
from handlers.reminders.access import reminders_of
from handlers.reminders.records import Reminder, State, to_ms
from tests.support.console import add_accounts, log_in
from tests.support.stack import ClientFactory, Stack, start_stack


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    found = await start_stack(Stack, aiohttp_client, clock, redis_url, redis)
    await add_accounts(found.redis, found.settings.wecom.corp_id, clock.now())
    return found


async def add(stack: Stack, assignee: str, text: str, hours: float, state: State) -> int:
    repo = reminders_of(stack.deps).repo
    due = stack.clock.now() + timedelta(hours=hours)
    stored, _ = await repo.add(
        Reminder(0, assignee, text, to_ms(due), customer_name="张三", source="sop:new:1")
    )
    if state is State.EXPIRED:
        assert await repo.transition(stored, State.SENT)
        assert await repo.transition(stored.id, State.EXPIRED)
    return stored.id


async def test_reminders_by_staff_and_status(stack: Stack) -> None:
    await add(stack, "lina", "回访张三", 2, State.PENDING)
    await add(stack, "zhangwei", "发报价", -3, State.PENDING)
    await add(stack, "lina", "生日祝福", -2, State.EXPIRED)
    await log_in(stack.siyu, Role.VIEWER)
    page = await (await stack.siyu.get("/console/reminders")).text()
    assert page.count("data-reminder=") == 3
    assert "待提醒" in page and "已逾期" in page and "已错过" in page and "客户SOP" in page
    lina = await (await stack.siyu.get("/console/reminders?staff=lina")).text()
    assert lina.count("data-reminder=") == 2 and "发报价" not in lina
    late = await (await stack.siyu.get("/console/reminders?status=overdue")).text()
    assert late.count("data-reminder=") == 1 and "发报价" in late
    none = await (await stack.siyu.get("/console/reminders?staff=wangfang")).text()
    assert "没有符合条件的提醒" in none


async def test_pages_follow_the_cursor(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminder_pages, "LISTED", 2)
    made = [await add(stack, "lina", f"提醒{n}", 1, State.PENDING) for n in range(3)]
    await log_in(stack.siyu, Role.VIEWER)
    first = await (await stack.siyu.get("/console/reminders?staff=lina")).text()
    assert f'data-reminder="{made[2]}"' in first and f'data-reminder="{made[0]}"' not in first
    assert f"before={made[1]}" in first
    second = await (await stack.siyu.get(f"/console/reminders?staff=lina&before={made[1]}")).text()
    assert second.count("data-reminder=") == 1 and 'data-testid="more"' not in second


async def test_a_page_stops_after_its_scan_window_and_says_where_to_go_on(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overview, "SCAN_WINDOW", 2)
    wanted = await add(stack, "lina", "很早的提醒", 1, State.PENDING)
    for n in range(3):
        await add(stack, "zhangwei", f"别人的提醒{n}", 1, State.PENDING)
    await log_in(stack.siyu, Role.VIEWER)
    first = await (await stack.siyu.get("/console/reminders?staff=lina")).text()
    assert "data-reminder=" not in first and "before=3" in first  # ids 4 and 3 were read
    second = await (await stack.siyu.get("/console/reminders?staff=lina&before=3")).text()
    assert f'data-reminder="{wanted}"' in second and 'data-testid="more"' not in second


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("staff=a%20b", "staff", "员工账号只能包含"),
        ("status=late", "status", "状态无效"),
        ("before=x", "before", "翻页参数无效"),
    ],
)
async def test_bad_filters_are_shown_next_to_their_field(
    stack: Stack, query: str, field: str, message: str
) -> None:
    await log_in(stack.siyu, Role.VIEWER)
    answer = await stack.siyu.get(f"/console/reminders?{query}")
    assert answer.status == 422
    page = await answer.text()
    assert f'data-testid="error-{field}"' in page and message in page


async def test_the_page_needs_a_login(stack: Stack) -> None:
    answer = await stack.siyu.get("/console/reminders", allow_redirects=False)
    assert answer.status == 303 and "/console/login" in answer.headers["Location"]
