"""How often a reminder repeats: every day, working day, week (on some weekdays) or month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final, Literal

from nlp.workdays import is_workday

RecurrenceKind = Literal["daily", "workdays", "weekly", "monthly"]
WEEKDAY_NAMES: Final = "一二三四五六日"
_BYDAY: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SEARCH_DAYS: Final = 400  # every kind occurs within a year (monthly days are 1..28)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Repeats at ``at`` every day, every working day, every week on ``weekdays`` or month.

    Working days are mainland China's (``nlp.workdays``): statutory holidays are skipped and
    make-up workdays (调休) on a weekend are included, so a 每个工作日 series set on
    2026-09-30 next falls on 10-08, then 10-09 and the Saturday 10-10. The RFC 5545 rule says
    Monday to Friday; ``next_after`` applies the holidays when it expands the series. The
    other kinds ignore holidays: 每周五 falls on a National Day Friday too.
    """

    kind: RecurrenceKind
    at: time
    weekday: int | None = None  # 0 = Monday; the first of ``weekdays``
    day: int | None = None  # of the month
    weekdays: tuple[int, ...] = ()  # 每周一三五 = (0, 2, 4); ``weekday`` alone means (weekday,)

    def __post_init__(self) -> None:
        if self.kind != "weekly":
            return
        days = self.weekdays or (() if self.weekday is None else (self.weekday,))
        days = tuple(sorted(set(days)))
        object.__setattr__(self, "weekdays", days)
        object.__setattr__(self, "weekday", days[0] if days else None)

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after ``moment``, in ``moment``'s time zone."""
        day = moment.date()
        for _ in range(_SEARCH_DAYS):
            if self._falls_on(day):
                candidate = datetime.combine(day, self.at, tzinfo=moment.tzinfo)
                if candidate > moment:
                    return candidate
            day += timedelta(days=1)
        raise ValueError(f"{self} never occurs")  # e.g. a weekly series without a weekday

    def _falls_on(self, day: date) -> bool:
        if self.kind == "workdays":
            return is_workday(day)
        if self.kind == "weekly":
            return day.weekday() in self.weekdays
        if self.kind == "monthly":
            return day.day == self.day
        return True

    @property
    def rrule(self) -> str:
        """RFC 5545: FREQ=WEEKLY;BYDAY=FR. The time of day is the first due's (DTSTART)."""
        if self.kind == "workdays":
            return "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
        if self.kind == "weekly":
            return "FREQ=WEEKLY;BYDAY=" + ",".join(_BYDAY[d] for d in self.weekdays)
        if self.kind == "monthly":
            return f"FREQ=MONTHLY;BYMONTHDAY={self.day}"
        return "FREQ=DAILY"

    def describe(self) -> str:
        """每天 09:00, 每周五 17:00, 每周一、三、五 10:00, 每月1号 10:00, 每个工作日 09:00."""
        clock = self.at.strftime("%H:%M")
        if self.kind == "weekly" and self.weekdays:
            return f"每周{'、'.join(WEEKDAY_NAMES[d] for d in self.weekdays)} {clock}"
        if self.kind == "monthly":
            return f"每月{self.day}号 {clock}"
        return f"{'每个工作日' if self.kind == 'workdays' else '每天'} {clock}"
