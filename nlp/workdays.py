"""China's working days: Monday to Friday less statutory holidays, plus make-up workdays (调休).

The calendar is chinesecalendar's: a year becomes known when the State Council publishes its
holiday notice (usually in November for the next year) and the package is released with it.
For a year it does not know, Monday to Friday stands in and a warning is logged once per
``Workdays``: holidays that year will not be skipped until the package (and the lock) is bumped.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Final

import chinese_calendar

logger = logging.getLogger(__name__)

_SATURDAY: Final = 5


class Workdays:
    """Which days staff work; remembers whether it already warned about an unknown year."""

    __slots__ = ("_warned",)

    def __init__(self) -> None:
        self._warned = False

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day: 2026-10-01 no (国庆), Sat 2026-10-10 yes (调休)."""
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as unknown:  # the year is outside the package's data
            if not self._warned:
                self._warned = True
                logger.warning("%s; working days in %s are Monday to Friday", unknown, day.year)
            return day.weekday() < _SATURDAY

    def next_workday(self, day: date) -> date:
        """``day`` if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day


CALENDAR: Final = Workdays()  # the process's calendar: one warning per process


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day in mainland China (see ``Workdays``)."""
    return CALENDAR.is_workday(day)
