"""The day a command names: 明天, 下周五, 12月25日, 2027-01-03, 25号, 下个月底.

Readings: weeks start on Monday; 周五 is the coming Friday (a week on if its time has passed
today), 这周五 this week's, 下周五 next week's, 下下周五 the one after; 下周 alone is next
Monday, 下个月 alone the 1st. A date without a year that has passed this year is next
year's, a 25号 that has passed this month is next month's; a day the command names outright
(今天, 这周一, 2026-11-24) whose time has passed is refused, not moved.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from nlp.timeparse.model import EXAMPLE, Rejection
from nlp.timeparse.text import cn_int

DAY_WORDS: Final[Mapping[str, tuple[int, str | None]]] = {
    "今天": (0, None),
    "今儿": (0, None),
    "今日": (0, None),
    "今早": (0, "早上"),
    "今晚": (0, "晚上"),
    "明天": (1, None),
    "明儿": (1, None),
    "明日": (1, None),
    "明早": (1, "早上"),
    "明晚": (1, "晚上"),
    "后天": (2, None),
    "大后天": (3, None),
}  # days ahead, and the part of the day the word implies
_WEEKDAYS: Final = (
    {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6} | {str(i + 1): i for i in range(7)}
)
_YEAR_WORDS: Final = {"今年": 0, "明年": 1, "后年": 2}
_SATURDAY: Final = 5


@dataclass(frozen=True, slots=True)
class Day:
    """A named day, and by how many days its time rolls on if already past (0: refused)."""

    date: date
    roll: int = 0


def weekday_number(char: str) -> int:
    """一 → 0 (Monday) … 日/天/7 → 6."""
    return _WEEKDAYS[char]


def _no_such_date(year: int, month: int, day: int) -> Rejection:
    return Rejection("no_date", f"没有 {year}年{month}月{day}日 这一天，{EXAMPLE}")


def _past(day: date) -> Rejection:
    return Rejection("past", f"{day.year}年{day.month}月{day.day}日已经过去了，{EXAMPLE}")


def _date(match: re.Match[str], today: date) -> Day | Rejection:
    """An explicit date; without a year, the next one to come (today included)."""
    month, day = cn_int(match["month"]) or 0, cn_int(match["day"]) or 0
    groups = match.groupdict()
    if groups.get("year"):
        year = int(groups["year"])
    elif groups.get("yw"):
        year = today.year + _YEAR_WORDS[groups["yw"]]
    else:
        year = today.year + ((month, day) < (today.month, today.day))
    try:
        found = date(year, month, day)
    except ValueError:
        return _no_such_date(year, month, day)
    return _past(found) if found < today else Day(found)


def _weekday(match: re.Match[str], today: date) -> Day | Rejection:
    weekday, which = weekday_number(match["wd"]), match["which"] or ""
    monday = today - timedelta(days=today.weekday())
    if which.startswith("上"):
        return Rejection("past", "上周已经过去了，请说一个将来的时间")
    if which.startswith("下下"):
        return Day(monday + timedelta(days=14 + weekday))
    if which.startswith("下"):
        return Day(monday + timedelta(days=7 + weekday))
    if which:  # 这周五, 本周五
        return Day(monday + timedelta(days=weekday))
    return Day(today + timedelta(days=(weekday - today.weekday()) % 7), roll=7)


def _ahead(which: str | None) -> int:
    """下 → 1, 下下 → 2, 这/本/none → 0 (weeks or months)."""
    return 2 if (which or "").startswith("下下") else int((which or "").startswith("下"))


def _weekend(match: re.Match[str], today: date) -> Day:
    """周末 is Saturday: the coming one, this week's (这周末) or a later week's."""
    if not match["which"]:
        return Day(today + timedelta(days=(_SATURDAY - today.weekday()) % 7), roll=7)
    monday = today - timedelta(days=today.weekday())
    return Day(monday + timedelta(days=7 * _ahead(match["which"]) + _SATURDAY))


def _month(match: re.Match[str], today: date) -> Day | Rejection | None:
    """下个月 (the 1st), 下个月5号, 本月25号, 下月底; 这个月 alone names no day."""
    ahead = _ahead(match["which"])
    year, month = divmod(today.year * 12 + today.month - 1 + ahead, 12)
    month += 1
    if match["end"]:
        day = calendar.monthrange(year, month)[1]
    elif match["day"]:
        day = cn_int(match["day"]) or 0
    elif ahead:
        day = 1
    else:
        return None
    try:
        found = date(year, month, day)
    except ValueError:
        return _no_such_date(year, month, day)
    return _past(found) if found < today else Day(found)


def _monthday(match: re.Match[str], today: date) -> Day | Rejection:
    """25号: this month's, or next month's if the 25th has passed."""
    day = cn_int(match["day"]) or 0
    year, month = today.year, today.month
    if day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004
    try:
        return Day(date(year, month, day))
    except ValueError:
        return Rejection("no_date", f"{month}月没有 {day} 号，{EXAMPLE}")


def _dayword(match: re.Match[str], today: date) -> Day:
    return Day(today + timedelta(days=DAY_WORDS[match.group(0)][0]))


def _week(match: re.Match[str], today: date) -> Day:
    """下周 is next Monday, 下下周 the one after."""
    monday = today - timedelta(days=today.weekday())
    return Day(monday + timedelta(days=7 * _ahead(match["which"])))


def _monthend(_: re.Match[str], today: date) -> Day:
    return Day(today.replace(day=calendar.monthrange(today.year, today.month)[1]))


_READERS: Final[Mapping[str, Callable[[re.Match[str], date], Day | Rejection | None]]] = {
    "isodate": _date,
    "cndate": _date,
    "slash": _date,
    "dotted": _date,
    "dayword": _dayword,
    "weekday": _weekday,
    "weekend": _weekend,
    "week": _week,
    "month": _month,
    "monthend": _monthend,
    "monthday": _monthday,
}  # the first kind found wins: an explicit date over 明天 over 周五 over 25号


def day_of(matches: Mapping[str, re.Match[str]], today: date) -> Day | Rejection | None:
    """The day the command names; None if it names none."""
    name = next((name for name in _READERS if name in matches), None)
    return None if name is None else _READERS[name](matches[name], today)
