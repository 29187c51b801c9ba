"""Working hours and daily times, in the corp's time zone. Pure: the caller passes the time.

A shift is written ``"09:00-18:00"`` (every day) or ``"mon-fri 09:00-18:00"``,
``"sat,sun 10:00-16:00"``; an end before the start runs past midnight (``"22:00-06:00"``
belongs to the day it starts on), and ``"00:00-24:00"`` is the whole day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY: Final = 24 * 60
_SHIFT: Final = re.compile(
    r"^(?:(?P<days>[a-z,\-]+)\s+)?(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)
_CLOCK: Final = re.compile(r"^(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """A shift or time of day that cannot be read."""


def _minutes(text: str, *, allow_24: bool = False) -> int:
    match = _CLOCK.match(text)
    if match is None:
        raise HoursError(f"not a time of day: {text!r} (HH:MM)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    if minutes >= 60 or total > MINUTES_PER_DAY or (total == MINUTES_PER_DAY and not allow_24):  # noqa: PLR2004
        raise HoursError(f"not a time of day: {text!r}")
    return total


def _days(text: str | None) -> frozenset[int]:
    if not text:
        return frozenset(range(7))
    chosen: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise HoursError(f"not a day or range of days: {part!r} (mon..sun)")
        start, end = DAYS.index(first), DAYS.index(last or first)
        span = (end - start) % 7
        chosen.update((start + offset) % 7 for offset in range(span + 1))
    return frozenset(chosen)


@dataclass(frozen=True, slots=True)
class Shift:
    """On duty on ``days`` (0 = Monday) from ``start`` to ``end`` minutes after midnight."""

    days: frozenset[int]
    start: int
    end: int

    @classmethod
    def parse(cls, text: str) -> Shift:
        """``"[days ]HH:MM-HH:MM"``."""
        match = _SHIFT.match(text.strip().lower())
        if match is None:
            raise HoursError(f"not a shift: {text!r} (e.g. 'mon-fri 09:00-18:00')")
        start, end = _minutes(match["start"]), _minutes(match["end"], allow_24=True)
        if start == end:
            raise HoursError(f"a shift cannot start when it ends: {text!r}")
        return cls(_days(match["days"]), start, end)

    def covers(self, local: datetime) -> bool:
        """Whether ``local`` (a wall-clock time in the corp's zone) falls in this shift."""
        day, minute = local.weekday(), local.hour * 60 + local.minute
        if self.start < self.end:
            return day in self.days and self.start <= minute < self.end
        yesterday = (day - 1) % 7
        return (day in self.days and minute >= self.start) or (
            yesterday in self.days and minute < self.end
        )


def parse_shifts(texts: Sequence[str]) -> tuple[Shift, ...]:
    """Every shift of a list (HoursError on the first bad one)."""
    return tuple(Shift.parse(text) for text in texts)


def on_duty(shifts: Sequence[Shift], local: datetime) -> bool:
    """No shifts means always on duty; otherwise ``local`` must fall in one."""
    return not shifts or any(shift.covers(local) for shift in shifts)


def time_of_day(text: str) -> time:
    """``"HH:MM"`` as a time (HoursError otherwise)."""
    total = _minutes(text.strip())
    return time(total // 60, total % 60)


def latest_daily(at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """The latest moment ≤ ``now`` whose wall clock in ``zone`` reads ``at`` (aware, UTC).

    "08:00" in Asia/Shanghai is 00:00 UTC; a server reading it as UTC would fire eight hours
    late, one reading it as "the next 08:00 from start" fires at once. On a day when ``at``
    does not exist (a DST gap) the zone's own rule for the gap applies.
    """
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    local_day = now.astimezone(zone).date()
    for back in range(3):
        day = local_day - timedelta(days=back)
        candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if candidate <= now:
            return candidate
    raise AssertionError("unreachable: a day always has the time")  # pragma: no cover
