"""End to end through the sandbox: a staff command, its card at the due time, snooze, done;
and reminders that fell due while siyu was down, delivered late on restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import create_app
from bot.clock import ManualClock
from bot.live import RUNTIME
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from config.settings import Settings
from handlers.reminders.records import State
from handlers.reminders.repository import ReminderRepository
from tests.support.sandbox import Sandbox
from tests.support.settings import siyu_settings_for
from tests.support.wecom import eventually

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
STAFF = "zhangwei"
FAST = {"poll_seconds": 0.05, "renew_seconds": 0.2, "lease_seconds": 1.0}


async def start(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, **sections: Any
) -> tuple[Sandbox, Settings]:
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    sandbox = Sandbox(await aiohttp_client(create_sandbox_app(config, clock)), config, clock)
    settings = siyu_settings_for(
        config,
        str(sandbox.http.make_url("/cgi-bin")),
        redis_url,
        reminders=FAST,
        queue={"block_ms": 20, "janitor_interval_seconds": 0.05},
        **sections,
    )
    return sandbox, settings


async def start_siyu(
    aiohttp_client: ClientFactory, sandbox: Sandbox, settings: Settings, clock: ManualClock
) -> TestClient[web.Request, web.Application]:
    siyu = await aiohttp_client(create_app(settings, clock=clock))
    url = str(siyu.make_url("/wecom/callback"))
    await sandbox.control("POST", "callback_url", {"app": "default", "url": url})
    return siyu


async def sends(sandbox: Sandbox, msgtype: str) -> list[dict[str, Any]]:
    calls = await sandbox.outbox(api="message/send")
    return [c["body"] for c in calls if c["body"]["msgtype"] == msgtype]


async def until_count(sandbox: Sandbox, msgtype: str, count: int) -> list[dict[str, Any]]:
    async def enough() -> bool:
        return len(await sends(sandbox, msgtype)) >= count

    await eventually(enough)
    return await sends(sandbox, msgtype)


async def test_command_confirm_card_snooze_card_done(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> None:
    sandbox, settings = await start(aiohttp_client, clock, redis_url)
    siyu = await start_siyu(aiohttp_client, sandbox, settings, clock)

    await sandbox.control("POST", f"staff/{STAFF}/message", {"text": "提醒我明天下午3点回访刘洋"})
    [confirmation] = await until_count(sandbox, "text", 1)
    assert confirmation["touser"] == STAFF
    assert confirmation["text"]["content"].startswith("好的，11月25日 15:00 提醒你回访刘洋（#")
    assert "客户：刘洋" in confirmation["text"]["content"]
    assert await sends(sandbox, "template_card") == []

    await sandbox.control("POST", "clock", {"advance_seconds": 21 * 3600})  # 15:00 local
    [first] = await until_count(sandbox, "template_card", 1)
    card = first["template_card"]
    assert card["card_type"] == "button_interaction"
    assert card["main_title"]["title"] == "回访刘洋"
    assert {"keyname": "客户", "value": "刘洋"} in card["horizontal_content_list"]
    assert [b["text"] for b in card["button_list"]] == ["完成", "1小时后提醒", "明天提醒"]

    await sandbox.control(
        "POST", f"staff/{STAFF}/card_click", {"task_id": card["task_id"], "event_key": "snooze"}
    )

    async def updated(count: int) -> bool:
        return len(await sandbox.outbox(api="message/update_template_card")) >= count

    await eventually(lambda: updated(1))
    [update] = await sandbox.outbox(api="message/update_template_card")
    assert update["body"]["button"]["replace_name"] == "已推迟到 11月25日 16:00"
    assert update["response"]["errcode"] == 0
    repo = ReminderRepository(redis, settings.wecom.corp_id)
    [reminder] = await repo.active_of(STAFF)
    assert (reminder.state, reminder.snoozes) == (State.SNOOZED, 1)

    await sandbox.control("POST", "clock", {"advance_seconds": 3599})
    assert len(await sends(sandbox, "template_card")) == 1  # not yet
    await sandbox.control("POST", "clock", {"advance_seconds": 1})
    cards = await until_count(sandbox, "template_card", 2)
    second = cards[1]["template_card"]
    assert second["task_id"] != card["task_id"]

    await sandbox.control(
        "POST", f"staff/{STAFF}/card_click", {"task_id": second["task_id"], "event_key": "done"}
    )
    await eventually(lambda: updated(2))
    updates = await sandbox.outbox(api="message/update_template_card")
    assert updates[1]["body"]["button"]["replace_name"] == "已完成"
    done = await repo.get(reminder.id)
    assert done is not None and done.state == State.DONE
    assert await repo.active_of(STAFF) == []
    assert len(await sends(sandbox, "template_card")) == 2  # exactly one card per due time
    registry = siyu.app[RUNTIME].metrics.registry
    outcomes = {
        outcome: registry.get_sample_value("siyu_reminders_total", {"outcome": outcome})
        for outcome in ("sent", "card_snooze", "card_done")
    }
    assert outcomes == {"sent": 2.0, "card_snooze": 1.0, "card_done": 1.0}
    assert registry.get_sample_value("siyu_reminder_lag_seconds_count") == 2.0


async def test_reminders_due_while_siyu_was_down_are_delivered_late_on_restart(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> None:
    sandbox, settings = await start(aiohttp_client, clock, redis_url)
    siyu = await start_siyu(aiohttp_client, sandbox, settings, clock)
    for minutes in (2, 4, 6, 8):
        await sandbox.control(
            "POST",
            f"staff/{STAFF}/message",
            {"text": f"{minutes}分钟后提醒我给刘洋发报价{minutes}"},
        )
    await until_count(sandbox, "text", 4)
    await siyu.close()  # everything stops: gateway, workers, scheduler

    await sandbox.control("POST", "clock", {"advance_seconds": 600})  # ten minutes of downtime
    await start_siyu(aiohttp_client, sandbox, settings, clock)

    cards = await until_count(sandbox, "template_card", 1)
    repo = ReminderRepository(redis, settings.wecom.corp_id)

    async def all_sent() -> bool:
        return all(r.state == State.SENT for r in await repo.active_of(STAFF))

    await eventually(all_sent)
    reminders = await repo.active_of(STAFF)
    assert len(reminders) == 4
    assert all(r.late for r in reminders)
    carried = {r.card for r in reminders}
    assert len(carried) == 1  # due together for one member: one digest card, not four
    [digest] = await sends(sandbox, "template_card")
    assert digest["template_card"]["main_title"]["title"] == "4 条提醒到期"
    assert cards[0]["template_card"]["task_id"] in carried


async def test_a_card_nobody_acts_on_expires_after_expire_hours(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> None:
    # the minute tick every 0.1 s of real time: each minute of the sandbox clock gets one
    sandbox, settings = await start(aiohttp_client, clock, redis_url, tasks={"tick_seconds": 0.1})
    await start_siyu(aiohttp_client, sandbox, settings, clock)
    await sandbox.control("POST", f"staff/{STAFF}/message", {"text": "5分钟后提醒我给刘洋发报价"})
    await until_count(sandbox, "text", 1)
    await sandbox.control("POST", "clock", {"advance_seconds": 300})
    await until_count(sandbox, "template_card", 1)
    repo = ReminderRepository(redis, settings.wecom.corp_id)
    [reminder] = await repo.active_of(STAFF)
    assert reminder.state == State.SENT

    await sandbox.control("POST", "clock", {"advance_seconds": 71 * 3600})
    still = await repo.get(reminder.id)
    assert still is not None and still.state == State.SENT, "not yet: 72 h to act on it"
    await sandbox.control("POST", "clock", {"advance_seconds": 3600 + 60})

    async def expired() -> bool:
        found = await repo.get(reminder.id)
        return found is not None and found.state == State.EXPIRED

    await eventually(expired)
    assert await repo.active_of(STAFF) == []
