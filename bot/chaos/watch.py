"""The gateways' own count of spooled callbacks, scraped from /metrics while they run.

A killed gateway takes its counters with it: the last scrape of each incarnation is kept, so
the total can miss what a gateway spooled in the second before it was killed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import aiohttp

from bot.chaos.processes import SiyuProcess

_METRIC = "siyu_spooled_total"


def spooled_count(metrics_text: str) -> int:
    """The value of ``siyu_spooled_total`` in a Prometheus text page (0 if absent)."""
    for line in metrics_text.splitlines():
        if line.startswith(_METRIC + " "):
            return int(float(line.split()[1]))
    return 0


def metric_total(metrics_text: str, name: str, labels: str = "") -> int:
    """The sum of ``name``'s samples in a Prometheus text page whose labels contain ``labels``
    (e.g. ``result="queued"``); 0 if absent."""
    total = 0.0
    for line in metrics_text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        sample, _, value = line.rpartition(" ")
        base, _, rest = sample.partition("{")
        if base == name and labels in rest:
            total += float(value)
    return int(total)


class SpoolWatch:
    """Scrapes each gateway's /metrics every ``period`` seconds."""

    def __init__(self, gateways: Sequence[SiyuProcess], period: float = 1.0) -> None:
        self._gateways = list(gateways)
        self._period = period
        self._seen: dict[tuple[str, int], int] = {}

    @property
    def total(self) -> int:
        """Callbacks spooled, summed over every gateway incarnation seen."""
        return sum(self._seen.values())

    async def run(self, stop: asyncio.Event) -> None:
        """Scrape until ``stop``, then once more."""
        timeout = aiohttp.ClientTimeout(total=1.0)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not stop.is_set():
                await self.scrape(session)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._period)
            await self.scrape(session)

    async def scrape(self, session: aiohttp.ClientSession) -> None:
        """One scrape of every live gateway."""
        for gateway in self._gateways:
            if not gateway.alive:
                continue
            incarnation = (gateway.name, gateway.incarnation)
            try:
                async with session.get(f"http://127.0.0.1:{gateway.port}/metrics") as answer:
                    text = await answer.text()
            except (aiohttp.ClientError, TimeoutError):
                continue
            self._seen[incarnation] = max(self._seen.get(incarnation, 0), spooled_count(text))
