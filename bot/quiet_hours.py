"""Quiet hours: a prompt due while a staff member is off waits until the morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from config.settings import ReminderSettings


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From ``start`` to ``end`` local time (over midnight when start > end)."""

    start: time
    end: time

    @classmethod
    def parse(cls, spec: str) -> QuietHours | None:
        """``"22:00-08:00"``; ``""`` means none."""
        if not spec.strip():
            return None
        start, _, end = spec.partition("-")
        return cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))

    def release(self, local: datetime) -> datetime | None:
        """When a prompt due at ``local`` may go out, if ``local`` is quiet; else None."""
        clock = local.time().replace(tzinfo=None)
        today_end = local.replace(
            hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0
        )
        if self.start <= self.end:
            return today_end if self.start <= clock < self.end else None
        if clock >= self.start:
            return today_end + timedelta(days=1)
        return today_end if clock < self.end else None


def quiet_hours_of(settings: ReminderSettings, userid: str) -> QuietHours | None:
    """The staff member's own quiet hours, else the default ones."""
    if userid in settings.quiet_hours:
        return QuietHours.parse(settings.quiet_hours[userid])
    return QuietHours.parse(f"{settings.quiet_start}-{settings.quiet_end}")
