"""审计日志 and 系统 through the real app: the audit log with its diffs, paged; the queue's
numbers, its dead letters and their replay (operators only, CSRF checked, audited)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from bot.admin.audit import Audit
from bot.admin.roles import Role
from bot.app import Role as AppRole
from bot.app import create_app
from bot.clock import ManualClock
from bot.queue import EventQueue, QueuedEvent
from bot.web import operations
from config.settings import Settings
from tests.bot.admin.conftest import ClientFactory
from tests.support.console import Client, add_accounts, log_in


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock, redis: Redis
) -> Client:
    await add_accounts(redis, settings.wecom.corp_id, clock.now())
    return await aiohttp_client(create_app(settings, role=AppRole.ADMIN, clock=clock))


async def dead_letter(settings: Settings, redis: Redis) -> str:
    queue = EventQueue(redis, settings.wecom.corp_id)
    await queue.ensure_group()
    entry = QueuedEvent("1-1", "default", "text", "msg|1", "<xml>private</xml>", 0)
    return await queue.dead_letter(entry, 5, "RuntimeError: boom")


async def test_the_audit_log_shows_who_when_what_and_the_diff(
    client: Client, settings: Settings, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = Audit(redis, settings.wecom.corp_id)
    at = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    await audit.record(
        at,
        "user:olga",
        "PUT /api/v1/rules/intake",
        "rules/intake",
        {"channels.expo.name": ["展会", "展会 A"]},
    )
    await audit.record(at, "cli", "apikey create", "api-keys/k1")
    monkeypatch.setattr(operations, "AUDIT_PAGE", 1)
    await log_in(client, Role.VIEWER)
    page = await (await client.get("/console/audit")).text()
    assert (
        "审计日志" in page and "cli" in page and "api-keys/k1" in page and "user:olga" not in page
    )
    older = page.split("/console/audit?before=")[1].split('"')[0]
    second = await (await client.get(f"/console/audit?before={older}")).text()
    assert "user:olga" in second and "2026-03-01 10:00:00" in second  # the corp's time zone
    assert "展会 A" in second and "rules/intake" in second


async def test_the_system_page_shows_the_queue_and_replays_dead_letters(
    client: Client, settings: Settings, redis: Redis
) -> None:
    dead_id = await dead_letter(settings, redis)
    csrf = await log_in(client, Role.OPERATOR)
    page = await (await client.get("/console/system")).text()
    assert "事件队列" in page and f'data-dead="{dead_id}"' in page and "RuntimeError: boom" in page
    assert "private" not in page
    answer = await client.post(f"/console/system/dead/{dead_id}/replay", data={"csrf": csrf})
    shown = await answer.text()
    assert answer.status == 200 and "已重新投递" in shown and "没有死信" in shown
    entries = await Audit(redis, settings.wecom.corp_id).page(5)
    assert entries[0][1].document == f"dead-letters/{dead_id}"
    again = await client.post(f"/console/system/dead/{dead_id}/replay", data={"csrf": csrf})
    assert again.status == 404


async def test_a_viewer_sees_no_replay_and_cannot_replay(
    client: Client, settings: Settings, redis: Redis
) -> None:
    dead_id = await dead_letter(settings, redis)
    csrf = await log_in(client, Role.VIEWER)
    page = await (await client.get("/console/system")).text()
    assert f'data-dead="{dead_id}"' in page and 'data-testid="replay"' not in page
    refused = await client.post(f"/console/system/dead/{dead_id}/replay", data={"csrf": csrf})
    assert refused.status == 403
    await log_in(client, Role.OPERATOR)
    forged = await client.post(f"/console/system/dead/{dead_id}/replay")
    assert forged.status == 403 and "表单已过期" in await forged.text()
    assert f'data-dead="{dead_id}"' in await (await client.get("/console/system")).text()
