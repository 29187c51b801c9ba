"""A worker-only and a scheduler-only ``siyu serve`` each answer /healthz, /readyz and
/metrics on their ``[observability]`` listener, with their own counters."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.queue import EventQueue
from config.settings import Settings
from tests.support.processes import start_siyu, write_config
from tests.support.wecom import eventually


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def get(base: str, path: str) -> tuple[int, str]:
    """Status and body, or (0, "") while nothing listens."""
    try:
        async with aiohttp.ClientSession() as session, session.get(base + path) as response:
            return response.status, await response.text()
    except aiohttp.ClientError:
        return 0, ""


def sample(text: str, name: str, **labels: str) -> float | None:
    """One sample of a Prometheus text page."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name and ",".join(sorted((match[2] or "").split(","))) == wanted:
            return float(match[3])
    return None


@pytest.fixture
async def role(
    settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """``siyu serve --role <param>`` on a free observability port; its base URL."""
    port = free_port()
    config = write_config(settings, tmp_path / "siyu.toml", observability_port=port)
    process = await start_siyu("serve", "--role", request.param, "--config", str(config))
    base = f"http://127.0.0.1:{port}"
    try:
        await eventually(lambda: _answers(base), timeout=30)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0


async def _answers(base: str) -> bool:
    return (await get(base, "/healthz"))[0] == 200


@pytest.mark.parametrize("role", ["worker"], indirect=True)
async def test_a_worker_shows_what_it_handled(role: str, settings: Settings, redis: Redis) -> None:
    assert (await get(role, "/readyz"))[0] == 200
    queue = EventQueue(redis, settings.wecom.corp_id)
    await queue.enqueue("default", "unknown", "observable-1", "<xml><MsgType>x</MsgType></xml>")

    async def counted() -> bool:
        text = (await get(role, "/metrics"))[1]
        return any(line.startswith("siyu_events_handled_total{") for line in text.splitlines())

    await eventually(counted, timeout=20)
    text = (await get(role, "/metrics"))[1]
    assert "siyu_wecom_api_calls_total" in text  # the new families are exposed (HELP/TYPE)

    async def lanes_sampled() -> bool:
        page = (await get(role, "/metrics"))[1]
        return sample(page, "siyu_lane_backlog", lane="main") is not None

    await eventually(lanes_sampled, timeout=10)
    assert (await get(role, "/callback"))[0] == 404  # no gateway routes on this listener


@pytest.mark.parametrize("role", ["scheduler"], indirect=True)
async def test_a_scheduler_shows_it_leads(role: str) -> None:
    assert (await get(role, "/readyz"))[0] == 200

    async def leads() -> bool:
        return sample((await get(role, "/metrics"))[1], "siyu_scheduler_leader") == 1.0

    await eventually(leads, timeout=20)
