"""The demo's stage: an embedded Redis, the WeCom sandbox and siyu, all on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.clock import ManualClock
from bot.live import RUNTIME, Runtime
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from config.settings import Settings


@dataclass
class Stage:
    """Handles on the running pieces, and the outbox position already shown."""

    settings: Settings
    sandbox_config: SandboxConfig
    sandbox_url: str
    siyu_url: str
    runtime: Runtime
    session: aiohttp.ClientSession
    clock: ManualClock
    outbox_seq: int = 0
    cast: dict[str, str] = field(default_factory=dict)  # external_userid → how they are shown

    async def sandbox(
        self, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> Any:  # JSON in, JSON out
        """Call a /sandbox/ route (an actor or a control)."""
        async with self.session.request(
            method, f"{self.sandbox_url}/sandbox/{path}", json=body
        ) as response:
            return await response.json()

    async def new_calls(self) -> list[dict[str, Any]]:
        """The WeCom API calls siyu made since the last look."""
        calls: list[dict[str, Any]] = await self.sandbox("GET", f"outbox?since={self.outbox_seq}")
        if calls:
            self.outbox_seq = max(int(call["seq"]) for call in calls)
        return calls

    async def advance(self, seconds: int) -> None:
        """Move the shared clock (siyu's and the sandbox's) forward."""
        await self.sandbox("POST", "clock", {"advance_seconds": seconds})

    async def wait_for_calls(self, api: str, count: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the sandbox has seen ``count`` more calls of ``api`` than shown so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = await self.sandbox("GET", f"outbox?api={api}&since={self.outbox_seq}")
            if len(calls) >= count:
                return
            await asyncio.sleep(0.05)

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the sandbox delivered everything and siyu handled it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            emitter = await self.sandbox("GET", "emitter")
            stats = await self.runtime.queue.stats()
            if emitter["in_flight"] == 0 and stats.length == 0 and stats.pending == 0:
                return
            await asyncio.sleep(0.05)


def _start_of_story() -> datetime:
    """Today, 10:00 in Shanghai: office hours, whenever the demo is run."""
    shanghai = ZoneInfo("Asia/Shanghai")
    return datetime.now(shanghai).replace(hour=10, minute=0, second=0, microsecond=0)


def _siyu_settings(config: SandboxConfig, sandbox_url: str, data_dir: Path) -> Settings:
    app = config.apps["default"]
    return Settings.model_validate(
        {
            "wecom": {"corp_id": config.corp_id, "api_base": f"{sandbox_url}/cgi-bin"},
            "apps": {
                "default": {
                    "agent_id": app.agent_id,
                    "secret": app.secret,
                    "token": app.token,
                    "encoding_aes_key": app.encoding_aes_key,
                }
            },
            "server": {"host": "127.0.0.1", "port": 0},
            "redis": {"url": "", "data_dir": data_dir},
            "queue": {"block_ms": 100, "janitor_interval_seconds": 0.5},
            "reminders": {"poll_seconds": 0.1},
            "sidebar": {
                "session_secret": "siyu-demo-sidebar-session-key",
                "cookie_secure": False,
                "authorize_url": f"{sandbox_url}/connect/oauth2/authorize",
            },
            "log_level": "ERROR",
        }
    )


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{int(runner.addresses[0][1])}"


@contextlib.asynccontextmanager
async def stage(data_dir: Path) -> AsyncIterator[Stage]:
    """Start the sandbox (a demo corp), then siyu aimed at it; stop both on exit."""
    config = SandboxConfig.generate(seed="demo")
    clock = ManualClock(_start_of_story())
    sandbox_runner, sandbox_url = await _serve(create_sandbox_app(config, clock))
    try:
        settings = _siyu_settings(config, sandbox_url, data_dir)
        siyu_app = create_app(settings, clock=clock)
        siyu_runner, siyu_url = await _serve(siyu_app)
        try:
            async with aiohttp.ClientSession() as session:
                the_stage = Stage(
                    settings, config, sandbox_url, siyu_url, siyu_app[RUNTIME], session, clock
                )
                target = {"app": "default", "url": f"{siyu_url}/wecom/callback"}
                await the_stage.sandbox("POST", "callback_url", target)
                yield the_stage
        finally:
            await siyu_runner.cleanup()
    finally:
        await sandbox_runner.cleanup()
