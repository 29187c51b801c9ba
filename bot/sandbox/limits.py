"""Frequency limits as WeCom counts them: fixed windows per key, and a block once exceeded.

Windows are aligned to the sandbox clock (a calendar minute, a calendar hour). The call that
exceeds a window's limit starts a block that lasts one window length from that moment
(60 s for a per-minute limit, 60 min for a per-hour one; doc 90454); calls during a block
are refused and not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``limit`` calls per ``seconds``-long window."""

    seconds: int
    limit: int


class RateLimiter:
    """Counts calls per key (an API, a member) against some windows."""

    def __init__(self, windows: Sequence[Window]) -> None:
        self._windows = tuple(windows)
        self._counts: dict[tuple[str, int], tuple[int, int]] = {}  # → (window index, count)
        self._blocked_until: dict[str, datetime] = {}

    def allow(self, key: str, now: datetime) -> bool:
        """Count a call of ``key`` at ``now``; False if it is over a limit or blocked."""
        until = self._blocked_until.get(key)
        if until is not None and now < until:
            return False
        epoch = int(now.timestamp())
        counts = []
        for window in self._windows:
            index = epoch // window.seconds
            seen_index, seen = self._counts.get((key, window.seconds), (index, 0))
            count = seen if seen_index == index else 0
            if count >= window.limit:
                self._blocked_until[key] = now + timedelta(seconds=window.seconds)
                return False
            counts.append((window.seconds, index, count + 1))
        for seconds, index, count in counts:
            self._counts[(key, seconds)] = (index, count)
        return True

    def blocked_until(self, key: str) -> datetime | None:
        """When the current block of ``key`` ends, if it is blocked."""
        return self._blocked_until.get(key)
