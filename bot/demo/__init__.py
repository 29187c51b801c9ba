"""``siyu demo``: siyu, an embedded Redis and the WeCom sandbox in one command, narrated.

Nothing reaches WeCom: the sandbox plays WeCom (its API and its callbacks) and the actors
(customers, staff); siyu is the real thing. Each scene prints what every actor saw.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from bot.demo.scenes import SCENES
from bot.demo.stage import stage


async def _play(data_dir: Path) -> None:
    async with stage(data_dir) as the_stage:
        print(
            f"siyu at {the_stage.siyu_url}, the WeCom sandbox at {the_stage.sandbox_url}, "
            f"Redis embedded in {data_dir}"
        )
        for play in SCENES:
            await play(the_stage)


def run_demo(data_dir: str | None) -> int:
    """Play every scene; returns the exit code."""
    logging.basicConfig(level=logging.ERROR)  # the narration says what happened
    if data_dir is not None:
        asyncio.run(_play(Path(data_dir)))
        return 0
    with tempfile.TemporaryDirectory(prefix="siyu-demo-") as tmp:
        asyncio.run(_play(Path(tmp)))
    return 0
