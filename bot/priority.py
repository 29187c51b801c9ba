"""The express lane goes first: in one process, main-lane events wait to start while express
events are in flight (at most ``max_wait_seconds`` each, so the main lane never starves).

Both lanes share one event loop. When it is busy, every await of a welcome waits behind the
steps of every main-lane handler in flight; holding back new main-lane work while a welcome
is under way keeps that queue short. Measured in ``siyu bench welcome`` (BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator


class LanePriority:
    """Tracks the express lane's events in flight; lets main-lane events wait for a lull."""

    def __init__(self, max_wait_seconds: float) -> None:
        self.max_wait_seconds = max_wait_seconds
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def express(self) -> Iterator[None]:
        """Around the handling of one express event."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def main_turn(self) -> None:
        """Before the handling of one main-lane event: wait while express events are in flight."""
        if self._in_flight and self.max_wait_seconds > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.max_wait_seconds):
                    await self._idle.wait()
