"""The scenario core on a real Cluster and a real Sentinel topology: callback → welcome, a
staff reminder from command to card to done, and a group task from launch to 100 %."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.app import create_app
from bot.clock import ManualClock
from bot.demo import campaign_story as story
from bot.live import RUNTIME
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from bot.store.ledger import Ledger
from handlers.reminders.records import State
from handlers.reminders.repository import ReminderRepository
from handlers.tasks import service
from tests.handlers.intake.stack import Stack
from tests.scenarios.test_reminders import FAST, STAFF, start_siyu, until_count
from tests.support import stack as shared
from tests.support.sandbox import Sandbox
from tests.support.sandboxed import ClientFactory, sandbox_and_settings
from tests.support.settings import siyu_settings_for
from tests.support.wecom import eventually

POSTER_CODE = "cwDEMOposter"


async def intake_stack(
    aiohttp_client: shared.ClientFactory,
    clock: ManualClock,
    redis_section: dict[str, Any],
    redis: Redis,
) -> Stack:
    """tests/handlers/intake/stack.py's stack, on the topology."""
    return await shared.start_stack(Stack, aiohttp_client, clock, "", redis, redis=redis_section)


async def test_a_scanned_live_code_is_welcomed(
    aiohttp_client: shared.ClientFactory,
    clock: ManualClock,
    redis_section: dict[str, Any],
    topology_redis: Redis,
) -> None:
    stack = await intake_stack(aiohttp_client, clock, redis_section, topology_redis)
    added = await stack.scan(POSTER_CODE, "wmTOPOLOGY0001")

    async def welcomed() -> bool:
        return len(await stack.calls("externalcontact/send_welcome_msg")) == 1

    await eventually(welcomed)
    [call] = await stack.calls("externalcontact/send_welcome_msg")
    assert call["body"]["welcome_code"] == added["welcome_code"]
    assert call["response"]["errcode"] == 0
    await stack.drained()
    assert stack.metric("siyu_welcome_total", outcome="sent") == 1


async def test_a_reminder_goes_from_command_to_card_to_done(
    aiohttp_client: ClientFactory,
    clock: ManualClock,
    redis_section: dict[str, Any],
    topology_redis: Redis,
) -> None:
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    sandbox = Sandbox(await aiohttp_client(create_sandbox_app(config, clock)), config, clock)
    queue = {"block_ms": 20, "janitor_interval_seconds": 0.05}
    settings = siyu_settings_for(
        config,
        str(sandbox.http.make_url("/cgi-bin")),
        "",
        reminders=FAST,
        redis=redis_section,
        queue=queue,
    )
    await start_siyu(aiohttp_client, sandbox, settings, clock)

    await sandbox.control("POST", f"staff/{STAFF}/message", {"text": "提醒我明天下午3点回访刘洋"})
    await until_count(sandbox, "text", 1)
    await sandbox.control("POST", "clock", {"advance_seconds": 21 * 3600})
    [card] = await until_count(sandbox, "template_card", 1)
    task_id = card["template_card"]["task_id"]
    await sandbox.control(
        "POST", f"staff/{STAFF}/card_click", {"task_id": task_id, "event_key": "done"}
    )

    repo = ReminderRepository(topology_redis, settings.wecom.corp_id)

    async def done() -> bool:
        return await repo.active_of(STAFF) == []

    await eventually(done)
    [reminder] = await repo.recent(1)
    assert reminder.state == State.DONE


async def test_a_group_task_reaches_100_percent(
    aiohttp_client: ClientFactory, redis_section: dict[str, Any]
) -> None:
    sandbox, settings = await sandbox_and_settings(aiohttp_client, "", redis=redis_section)
    siyu = await aiohttp_client(create_app(settings))
    deps = siyu.app[RUNTIME].deps

    task_id = await story.launch(deps)
    for staff, msgid in (await story.msgids(deps, task_id)).items():
        answer = await sandbox.post(f"/sandbox/groupmsg/{msgid}/confirm", json={"staff": staff})
        assert answer.status == 200
    later = await story.reminder_time(deps, task_id)
    assert await story.check(deps, task_id, later + timedelta(minutes=10)) == "completed"
    state = await service.state(deps, task_id)
    assert state is not None and state["progress"] == 1.0


async def test_the_ledger_applies_an_effect_once(
    topology_redis: Redis, redis_section: dict[str, Any]
) -> None:
    corp = f"wwtopology{secrets.token_hex(4)}"
    ledger = Ledger(topology_redis, corp)
    target = f"siyu:{{{corp}}}:test:effect"

    def effect(pipe: Pipeline) -> None:
        pipe.incr(target)

    assert await ledger.apply_once("effect-1", effect)
    assert not await ledger.apply_once("effect-1", effect)
    assert await topology_redis.get(target) == "1"
