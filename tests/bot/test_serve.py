"""``siyu serve`` as a real process: ready, accepting, and graceful on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import aiohttp
from redis.asyncio import Redis

from bot.events import parse_event
from bot.queue import EventQueue
from bot.store import keys
from config.settings import Settings
from tests.support.processes import start, write_config
from tests.support.sandboxed import ClientFactory, sandbox_and_settings
from tests.support.wecom import eventually, signed, text_message


def staff_message(settings: Settings, text: str) -> str:
    """A message from zhangwei, a staff member of the sandbox's demo corp."""
    return text_message(settings, text).replace("staff01", "zhangwei")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_sigterm_loses_no_acknowledged_callback(
    aiohttp_client: ClientFactory, redis_url: str, redis: Redis, tmp_path: Path
) -> None:
    _sandbox, settings = await sandbox_and_settings(
        aiohttp_client, redis_url, server={"replay_window_seconds": 0}
    )
    port = free_port()
    config = write_config(settings, tmp_path / "siyu.toml")
    config.write_text(
        config.read_text() + f"[server]\nport = {port}\nreplay_window_seconds = 0\n", "utf-8"
    )
    process = await start("-m", "tests.support.journaled_serve", str(config))
    base = f"http://127.0.0.1:{port}"
    messages = [staff_message(settings, f"第{n}条") for n in range(200)]
    callbacks = [signed(settings, message) for message in messages]
    acknowledged: list[int] = []
    try:
        async with aiohttp.ClientSession() as session:

            async def up() -> bool:
                try:
                    async with session.get(f"{base}/healthz") as response:
                        return response.status == 200
                except aiohttp.ClientError:
                    return False

            await eventually(up, timeout=20)

            async def send(n: int) -> None:
                callback = callbacks[n]
                try:
                    async with session.post(
                        f"{base}/wecom/callback", params=callback.query, data=callback.body
                    ) as response:
                        if response.status == 200:
                            acknowledged.append(n)
                except aiohttp.ClientError:
                    pass  # refused while stopping: WeCom would retry it

            sending = asyncio.gather(*(send(n) for n in range(200)))

            async def some_acknowledged() -> bool:
                return bool(acknowledged)

            await eventually(some_acknowledged, timeout=20)  # stop mid-stream, not before it
            process.send_signal(signal.SIGTERM)
            await sending
        exit_code = await asyncio.wait_for(process.wait(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert exit_code == 0
    assert acknowledged, "some callbacks were accepted before the stop"
    # Counted by the callbacks' own dedup keys: the all-in-one process's scheduler also queues
    # (and the journal counts) its minute ticks, which are none of the 200.
    dedup_keys = [parse_event(message).dedup_key for message in messages]
    counts = await redis.hgetall(keys.demo_effects(settings.wecom.corp_id))
    handled = {key for key in dedup_keys if key in counts}
    queued = {
        fields["dedup"] for _id, fields in await EventQueue(redis, settings.wecom.corp_id).peek(400)
    }
    unaccounted = [n for n in acknowledged if dedup_keys[n] not in handled | queued]
    assert not unaccounted, "every 200 is handled or still queued"
    assert not handled & queued, "a handled callback was left queued: the drain did not ack it"
    assert all(counts[key] == "1" for key in handled), "an effect ran twice"
