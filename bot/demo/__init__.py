"""``siyu demo``: siyu, an embedded Redis and the WeCom sandbox in one command, narrated.

Nothing reaches WeCom: the sandbox plays WeCom (its API and its callbacks) and the actors
(customers, staff); siyu is the real thing. Each scene prints what every actor saw.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from pathlib import Path
from typing import Final

from bot.admin.accounts import AccountError, Accounts
from bot.admin.roles import Role
from bot.demo.scenes import SCENES
from bot.demo.stage import Stage, stage

DEMO_USER: Final = "demo"
DEMO_PASSWORD: Final = "siyu-demo"  # noqa: S105 - the demo's own login, printed for the user


async def _console(the_stage: Stage) -> None:
    """Print the console's address and a demo login; with a terminal, serve until Enter."""
    runtime = the_stage.runtime
    accounts = Accounts(runtime.redis, the_stage.settings.wecom.corp_id)
    try:
        await accounts.create(DEMO_USER, Role.ADMIN, DEMO_PASSWORD, the_stage.clock.now())
    except AccountError:
        await accounts.set_password(DEMO_USER, DEMO_PASSWORD)  # a reused --data-dir
    print(
        f"\n== 控制台 (console): {the_stage.siyu_url}/console/  login {DEMO_USER} / {DEMO_PASSWORD}"
    )
    if sys.stdin.isatty():
        await asyncio.to_thread(input, "   the console is up with the story's data; Enter stops\n")


async def _play(data_dir: Path) -> None:
    async with stage(data_dir) as the_stage:
        print(
            f"siyu at {the_stage.siyu_url}, the WeCom sandbox at {the_stage.sandbox_url}, "
            f"Redis embedded in {data_dir}"
        )
        for play in SCENES:
            await play(the_stage)
        await _console(the_stage)


def run_demo(data_dir: str | None) -> int:
    """Play every scene; returns the exit code."""
    logging.basicConfig(level=logging.ERROR)  # the narration says what happened
    if data_dir is not None:
        asyncio.run(_play(Path(data_dir)))
        return 0
    with tempfile.TemporaryDirectory(prefix="siyu-demo-") as tmp:
        asyncio.run(_play(Path(tmp)))
    return 0
