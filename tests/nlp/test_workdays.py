"""Working days by China's 2026 holiday calendar, and Monday to Friday for years it lacks."""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from nlp.timeparse import Recurrence
from nlp.workdays import Workdays, is_workday

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 18), True),  # Friday
        (date(2026, 9, 19), False),  # Saturday
        (date(2026, 9, 20), True),  # Sunday, made up for National Day (调休)
        (date(2026, 9, 25), False),  # Friday, 中秋
        (date(2026, 9, 28), True),
        (date(2026, 9, 30), True),
        (date(2026, 10, 1), False),  # 国庆
        (date(2026, 10, 5), False),  # Monday, still 国庆
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, made up (调休)
        (date(2026, 10, 11), False),
        (date(2026, 11, 24), True),
    ],
)
def test_2026_working_days_follow_the_holiday_notice(day: date, working: bool) -> None:
    assert is_workday(day) is working


def test_a_year_without_data_is_monday_to_friday_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = Workdays()
    with caplog.at_level(logging.WARNING, logger="nlp.workdays"):
        assert calendar.is_workday(date(2100, 1, 4))  # a Monday
        assert not calendar.is_workday(date(2100, 1, 2))  # a Saturday
        assert calendar.next_workday(date(2100, 1, 2)) == date(2100, 1, 4)
    warnings = [r for r in caplog.records if r.name == "nlp.workdays"]
    assert len(warnings) == 1
    assert "2100" in warnings[0].getMessage()


def test_next_workday_skips_national_day() -> None:
    assert Workdays().next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert Workdays().next_workday(date(2026, 9, 30)) == date(2026, 9, 30)


def _occurrences(recurrence: Recurrence, after: datetime, count: int) -> list[datetime]:
    found: list[datetime] = []
    for _ in range(count):
        after = recurrence.next_after(after)
        found.append(after)
    return found


def test_a_working_day_series_skips_holidays_and_keeps_make_up_days() -> None:
    series = Recurrence("workdays", time(9))
    start = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    assert _occurrences(series, start, 4) == [
        datetime(2026, 10, 8, 9, 0, tzinfo=TZ),
        datetime(2026, 10, 9, 9, 0, tzinfo=TZ),
        datetime(2026, 10, 10, 9, 0, tzinfo=TZ),  # the make-up Saturday
        datetime(2026, 10, 12, 9, 0, tzinfo=TZ),
    ]


@pytest.mark.parametrize(
    ("after", "due"),
    [
        (datetime(2026, 9, 18, 18, 0, tzinfo=TZ), datetime(2026, 9, 20, 9, 0, tzinfo=TZ)),
        (datetime(2026, 9, 24, 18, 0, tzinfo=TZ), datetime(2026, 9, 28, 9, 0, tzinfo=TZ)),
        (datetime(2026, 11, 27, 19, 0, tzinfo=TZ), datetime(2026, 11, 30, 9, 0, tzinfo=TZ)),
    ],
)
def test_a_working_day_series_next_falls_on_the_next_working_day(
    after: datetime, due: datetime
) -> None:
    assert Recurrence("workdays", time(9)).next_after(after) == due


def test_other_series_ignore_holidays() -> None:
    friday = Recurrence("weekly", time(9), weekday=4)
    assert friday.next_after(datetime(2026, 9, 30, 10, 0, tzinfo=TZ)) == datetime(
        2026, 10, 2, 9, 0, tzinfo=TZ
    )
