"""Chaos: two ``siyu serve --role scheduler`` processes and two workers (real processes);
the leader is killed with SIGKILL while 1,000 reminders fall due. Time is compressed: the
reminders fall due over 15 s of real time instead of a minute (lease 2 s)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from bot.store import keys
from handlers.reminders.records import Reminder, State
from handlers.reminders.repository import ReminderRepository
from tests.support.processes import start_siyu
from tests.support.sandbox import Sandbox
from tests.support.wecom import eventually

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
STAFF = [f"chaos{i:03d}" for i in range(100)]  # 10 prompts each: under 30/min per member
REMINDERS = 1000
SPREAD_SECONDS = 15.0
LEASE_SECONDS = 2.0


def write_config(path: Path, config: SandboxConfig, api_base: str, redis_url: str) -> Path:
    app = config.apps["default"]
    path.write_text(
        f"""log_level = "WARNING"
[wecom]
corp_id = "{config.corp_id}"
api_base = "{api_base}"
[apps.default]
agent_id = {app.agent_id}
secret = "{app.secret}"
token = "{app.token}"
encoding_aes_key = "{app.encoding_aes_key}"
[redis]
url = "{redis_url}"
[queue]
block_ms = 50
janitor_interval_seconds = 0.2
claim_idle_seconds = 2
[reminders]
quiet_start = "00:00"
quiet_end = "00:00"
digest_window_seconds = 0
lease_seconds = {LEASE_SECONDS}
renew_seconds = 0.5
poll_seconds = 0.2
[observability]
port = 0
""",
        encoding="utf-8",
    )
    return path


async def stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 15)
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_leader_killed_while_1000_fall_due_each_delivered_exactly_once(
    aiohttp_client: ClientFactory,
    clock: ManualClock,
    redis_url: str,
    redis: Redis,
    tmp_path: Path,
) -> None:
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    sandbox = Sandbox(await aiohttp_client(create_sandbox_app(config, clock)), config, clock)
    for userid in STAFF:
        await sandbox.control("POST", "staff", {"userid": userid})
    path = write_config(
        tmp_path / "siyu.toml", config, str(sandbox.http.make_url("/cgi-bin")), redis_url
    )
    repo = ReminderRepository(redis, config.corp_id)
    first_due = time.time() + 4
    for index in range(REMINDERS):
        due = first_due + SPREAD_SECONDS * index / REMINDERS
        await repo.add(Reminder(0, STAFF[index % len(STAFF)], f"回访客户{index}", int(due * 1000)))

    processes = [
        await start_siyu("serve", "--config", str(path), "--role", role)
        for role in ("scheduler", "scheduler", "worker", "worker")
    ]
    try:
        lease = keys.scheduler_lease(config.corp_id)

        async def led() -> bool:
            return bool(await redis.get(lease))

        await eventually(led, timeout=30)
        holder = str(await redis.get(lease))
        name = holder.split("|", maxsplit=1)[0]
        leader = next(p for p in processes[:2] if name.endswith(f"-{p.pid}"))

        async def some_sent() -> bool:
            return len(await sandbox.outbox(api="message/send")) >= 100

        await eventually(some_sent, timeout=30)
        leader.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()

        async def taken_over() -> bool:
            value = await redis.get(lease)
            return bool(value) and value != holder

        await eventually(taken_over, timeout=LEASE_SECONDS + 5)
        takeover = time.monotonic() - killed_at
        assert takeover <= LEASE_SECONDS + 1.5, takeover

        async def all_sent() -> bool:
            found = await repo.get_many(range(1, REMINDERS + 1))
            return sum(r.state == State.SENT for r in found) == REMINDERS

        await eventually(all_sent, timeout=90)
    finally:
        await stop_all(processes)

    sends = await sandbox.outbox(api="message/send")
    delivered = [s for s in sends if s["response"]["errcode"] == 0 and "duplicate_of" not in s]
    task_ids = [s["body"]["template_card"]["task_id"] for s in delivered]
    assert len(task_ids) == len(set(task_ids)), "a card was delivered twice"
    reminders = await repo.get_many(range(1, REMINDERS + 1))
    assert {r.card for r in reminders} == set(task_ids)  # every card carries sent reminders
    assert all(r.state == State.SENT for r in reminders)  # none lost
    cards = [await repo.card(task_id) for task_id in task_ids]
    assert sum(len(card.ids) for card in cards if card) == REMINDERS  # each on exactly one card
    assert await repo.waiting() == 0
