"""A gateway process killed with SIGKILL while it spools loses nothing it answered 200."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import aiohttp
from redis.asyncio import Redis

from bot.queue import EventQueue
from bot.store.embedded import EmbeddedRedis
from config.settings import Settings
from tests.conftest import make_settings
from tests.support.processes import start_siyu, write_config
from tests.support.wecom import eventually, signed, text_message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gateway_config(settings: Settings, path: Path, port: int, spool_dir: Path) -> Path:
    write_config(settings, path)
    with path.open("a", encoding="utf-8") as file:
        file.write(
            f"[server]\nport = {port}\nreplay_window_seconds = 0\n"
            f'[spool]\ndir = "{spool_dir}"\nreplay_interval_seconds = 0.05\n'
        )
    return path


async def wait_listening(port: int) -> None:
    async def listening() -> bool:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return False
        writer.close()
        await writer.wait_closed()
        return True

    await eventually(listening, timeout=30)


async def test_kill_9_mid_spool_loses_nothing_answered_200(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always")
    url = server.start()
    settings = make_settings(url)
    port = free_port()
    config = gateway_config(settings, tmp_path / "siyu.toml", port, tmp_path / "spool")
    answered: list[str] = []
    check = Redis.from_url(url, decode_responses=True)
    gateway = await start_siyu("serve", "--config", str(config), "--role", "gateway")
    try:
        await wait_listening(port)
        server.kill()
        endpoint = f"http://127.0.0.1:{port}/wecom/callback"

        async def deliver(session: aiohttp.ClientSession, n: int) -> None:
            msg_id = 6_000_000 + n
            callback = signed(settings, text_message(settings, f"第{n}条", msg_id=msg_id))
            with contextlib.suppress(aiohttp.ClientError):
                async with session.post(
                    endpoint, params=callback.query, data=callback.body
                ) as response:
                    if response.status == 200:
                        answered.append(str(msg_id))

        async with aiohttp.ClientSession() as session:
            sending = [asyncio.create_task(deliver(session, n)) for n in range(400)]

            async def some_answered() -> bool:
                return len(answered) >= 50

            await eventually(some_answered, timeout=30)
            gateway.kill()  # SIGKILL while callbacks are being spooled
            await gateway.wait()
            await asyncio.gather(*sending)
        assert 50 <= len(answered) < 400, "the kill came mid-stream"

        server.start()
        gateway = await start_siyu("serve", "--config", str(config), "--role", "gateway")
        queue = EventQueue(check, settings.wecom.corp_id)

        async def all_replayed() -> bool:
            queued = {fields["dedup"].split("|")[-1] for _id, fields in await queue.peek(1000)}
            return set(answered) <= queued

        await eventually(all_replayed, timeout=30)
        assert list((tmp_path / "spool").rglob("*.spool")) == []
    finally:
        if gateway.returncode is None:
            gateway.kill()
            await gateway.wait()
        await check.aclose()
        server.stop()
