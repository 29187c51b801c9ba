"""A worker process whose handlers are slow after their effect, so a kill lands mid-batch.

Run as ``python -m tests.support.slow_worker CONFIG``: the real journal (ledger-guarded
effect) followed by a handler that sleeps, i.e. after the effect and before the XACK.
"""

from __future__ import annotations

import asyncio
import sys

from bot.clock import SystemClock
from bot.deps import Deps
from bot.dispatch import Router
from bot.events import AnyEvent, Event, UnknownEvent
from bot.metrics import Metrics
from bot.runtime import running
from config.settings import load_settings
from tests.support import journal

SLOW_SECONDS = 0.05


def slow_router() -> Router:
    """journal first, then a pause before the event is acknowledged."""
    root, slow = Router("root"), Router("slow")
    root.include(journal.router, slow)

    async def pause(event: AnyEvent, deps: Deps) -> None:
        await asyncio.sleep(SLOW_SECONDS)

    slow.on(Event)(pause)
    slow.on(UnknownEvent)(pause)
    return root


async def main(config: str) -> None:
    """Consume forever (until killed)."""
    async with running(load_settings(config), SystemClock(), slow_router(), Metrics()):
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
