"""The demo's stage: an embedded Redis, the WeCom sandbox and siyu, all on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.runtime import RUNTIME, Runtime
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
    outbox_seq: int = 0
    names: dict[str, str] = field(default_factory=dict)

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

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the sandbox delivered everything and siyu handled it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            emitter = await self.sandbox("GET", "emitter")
            stats = await self.runtime.queue.stats()
            if emitter["in_flight"] == 0 and stats.length == 0 and stats.pending == 0:
                return
            await asyncio.sleep(0.05)


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
    sandbox_runner, sandbox_url = await _serve(create_sandbox_app(config))
    try:
        settings = _siyu_settings(config, sandbox_url, data_dir)
        siyu_app = create_app(settings)
        siyu_runner, siyu_url = await _serve(siyu_app)
        try:
            async with aiohttp.ClientSession() as session:
                the_stage = Stage(
                    settings, config, sandbox_url, siyu_url, siyu_app[RUNTIME], session
                )
                target = {"app": "default", "url": f"{siyu_url}/wecom/callback"}
                await the_stage.sandbox("POST", "callback_url", target)
                yield the_stage
        finally:
            await siyu_runner.cleanup()
    finally:
        await sandbox_runner.cleanup()
