"""Shifts and daily times in the corp's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from handlers.intake.hours import HoursError, Shift, latest_daily, on_duty, parse_shifts

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-11-23 is a Monday; ``day`` 0..6 from there."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("shifts", "moment", "expected"),
    [
        ([], local(0, 3), True),
        (["09:00-18:00"], local(0, 9), True),
        (["09:00-18:00"], local(0, 17, 59), True),
        (["09:00-18:00"], local(0, 18), False),
        (["09:00-18:00"], local(6, 8, 59), False),
        (["mon-fri 09:00-18:00"], local(4, 10), True),
        (["mon-fri 09:00-18:00"], local(5, 10), False),
        (["sat,sun 10:00-16:00"], local(6, 10), True),
        (["fri-mon 10:00-16:00"], local(0, 10), True),
        (["fri-mon 10:00-16:00"], local(2, 10), False),
        (["mon 22:00-06:00"], local(0, 23), True),
        (["mon 22:00-06:00"], local(1, 5, 59), True),
        (["mon 22:00-06:00"], local(1, 6), False),
        (["mon 22:00-06:00"], local(0, 5), False),
        (["00:00-24:00"], local(3, 23, 59), True),
        (["09:00-12:00", "14:00-18:00"], local(0, 13), False),
        (["09:00-12:00", "14:00-18:00"], local(0, 15), True),
    ],
)
def test_on_duty(shifts: list[str], moment: datetime, expected: bool) -> None:
    assert on_duty(parse_shifts(shifts), moment) is expected


@pytest.mark.parametrize(
    "bad",
    ["9-18", "09:00-09:00", "25:00-26:00", "funday 09:00-10:00", "09:60-10:00", "24:00-09:00"],
)
def test_bad_shifts_are_refused(bad: str) -> None:
    with pytest.raises(HoursError):
        Shift.parse(bad)


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        # 08:00 in Shanghai is 00:00 UTC: just before it, the latest 08:00 was yesterday's
        (
            "Asia/Shanghai",
            datetime(2026, 11, 23, 23, 59, tzinfo=UTC),
            datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
        ),
        (
            "Asia/Shanghai",
            datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
            datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
        ),
        (
            "UTC",
            datetime(2026, 11, 24, 7, 59, tzinfo=UTC),
            datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        ),
        # New York: EDT (UTC-4) in July, EST (UTC-5) in November
        (
            "America/New_York",
            datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
            datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        ),
        (
            "America/New_York",
            datetime(2026, 11, 24, 12, 30, tzinfo=UTC),
            datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
        ),
    ],
)
def test_latest_daily_time_is_the_wall_clock_of_the_zone(
    zone: str, now: datetime, expected: datetime
) -> None:
    assert latest_daily(time(8, 0), ZoneInfo(zone), now) == expected
