"""Real siyu processes for tests: a config file and a child that can be killed."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Final

from config.settings import Settings

PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]


def write_config(settings: Settings, path: Path, *, observability_port: int = 0) -> Path:
    """Write ``settings`` as a TOML file a child process can load (a worker's or scheduler's
    probe listener on ``observability_port``: any free port unless given, so processes of
    several tests never fight over the default 9180)."""
    app = settings.apps["default"]
    queue = settings.queue
    path.write_text(
        f"""log_level = "WARNING"
[wecom]
corp_id = "{settings.wecom.corp_id}"
api_base = "{settings.wecom.api_base}"
[apps.default]
agent_id = {app.agent_id}
secret = "{app.secret.get_secret_value()}"
token = "{app.token.get_secret_value()}"
encoding_aes_key = "{app.encoding_aes_key.get_secret_value()}"
[redis]
url = "{settings.redis.url}"
[queue]
consumers = {queue.consumers}
batch_size = {queue.batch_size}
block_ms = {queue.block_ms}
claim_idle_seconds = {queue.claim_idle_seconds}
janitor_interval_seconds = {queue.janitor_interval_seconds}
max_deliveries = {queue.max_deliveries}
[observability]
port = {observability_port}
""",
        encoding="utf-8",
    )
    return path


async def start(*args: str) -> asyncio.subprocess.Process:
    """Start ``python ARGS`` in the project root."""
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=PROJECT_ROOT, stdin=asyncio.subprocess.DEVNULL
    )


async def start_siyu(*args: str) -> asyncio.subprocess.Process:
    """Start the real ``siyu`` command line."""
    return await start("-c", "from bot.cli import main; raise SystemExit(main())", *args)
