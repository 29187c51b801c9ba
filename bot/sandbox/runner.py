"""Running the sandbox as a program: listen, write siyu's config, stop on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from bot.sandbox.world import WORLD

logger = logging.getLogger(__name__)


def siyu_config(config: SandboxConfig, api_base: str, server_port: int) -> str:
    """A siyu TOML config for this sandbox's corp and apps (keys: config/siyu.example.toml)."""
    quote = json.dumps  # TOML basic strings take JSON's escapes
    lines = [
        "# Written by `siyu sandbox`: siyu against the local WeCom sandbox.",
        "# The credentials are made up for this sandbox run; restart both together.",
        "",
        "[wecom]",
        f"corp_id = {quote(config.corp_id)}",
        f"api_base = {quote(api_base)}",
    ]
    for name, app in config.apps.items():
        lines += [
            "",
            f"[apps.{name}]",
            f"agent_id = {app.agent_id}",
            f"secret = {quote(app.secret)}",
            f"token = {quote(app.token)}",
            f"encoding_aes_key = {quote(app.encoding_aes_key)}",
        ]
    lines += ["", "[redis]", 'url = ""', "", "[server]", f"port = {server_port}", ""]
    return "\n".join(lines)


def _server_port(callback_url: str) -> int:
    """The port siyu must listen on for ``callback_url`` (8080 when it names none)."""
    try:
        return urlsplit(callback_url).port or 8080
    except ValueError:
        return 8080


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _serve(config: SandboxConfig, host: str, port: int, write_config: str | None) -> None:
    app = create_sandbox_app(config)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound = runner.addresses[0][1] if runner.addresses else port
        base = f"http://{host}:{bound}"
        _say(f"siyu sandbox: WeCom API at {base}/cgi-bin, controls at {base}/sandbox/state")
        _say(f"corp {config.corp_id}; callbacks go to {config.callback_url}")
        if write_config:
            text = siyu_config(config, f"{base}/cgi-bin", _server_port(config.callback_url or ""))
            await asyncio.to_thread(Path(write_config).write_text, text, encoding="utf-8")
            _say(f"siyu config written to {write_config}: siyu serve --config {write_config}")
        world = app[WORLD]
        _say(f"{len(world.corp.staff)} staff, {len(world.corp.customers)} customers; Ctrl-C stops")
        await _until_signalled()
    finally:
        await runner.cleanup()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def run(
    *, host: str, port: int, seed: str | None, callback_url: str, write_config: str | None
) -> int:
    """Start the sandbox and serve until SIGINT or SIGTERM; 0 on a clean stop."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = SandboxConfig.generate(seed=seed, callback_url=callback_url)
    try:
        asyncio.run(_serve(config, host, port, write_config))
    except OSError as exc:
        sys.stderr.write(f"siyu sandbox: cannot listen on {host}:{port}: {exc}\n")
        return 1
    _say("siyu sandbox stopped")
    return 0
