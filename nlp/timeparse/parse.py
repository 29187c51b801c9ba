"""A command's time expressions → the first due time and the series it starts, if any."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from nlp.timeparse.clock import clock_of
from nlp.timeparse.days import DAY_WORDS, Day, day_of, weekday_number
from nlp.timeparse.model import EXAMPLE, Rejection, format_due
from nlp.timeparse.recurrence import Recurrence
from nlp.timeparse.relative import offset_of
from nlp.timeparse.text import cn_int

_LONGEST_MONTH_DAY: Final = 28  # every month has days 1..28
_WEEKDAY_OR_RANGE: Final = re.compile(r"[到至~]|[一二三四五六日天1-7]")
_RANGE: Final = frozenset("到至~")
_DAILY_PARTS: Final = {"早": "早上", "晚": "晚上"}


def _period(matches: Mapping[str, re.Match[str]]) -> str | None:
    """The part of the day said (下午), or implied (今晚, 每晚)."""
    if "period" in matches:
        return matches["period"].group(0)
    if "clock" in matches and matches["clock"]["part"]:  # 晚8点
        return matches["clock"]["part"]
    if "dayword" in matches:
        return DAY_WORDS[matches["dayword"].group(0)][1]
    if "daily" in matches and matches["daily"]["part"]:
        return _DAILY_PARTS[matches["daily"]["part"]]
    return None


def _weekdays(days: str) -> tuple[int, ...]:
    """一三五 → (0, 2, 4); 二和周四 → (1, 3); 一到三 → (0, 1, 2)."""
    chosen: list[int] = []
    span = False
    for token in _WEEKDAY_OR_RANGE.findall(days):
        if token in _RANGE:
            span = True
            continue
        day = weekday_number(token)
        if span and chosen:  # 周五到周一 goes round the weekend
            chosen += [d % 7 for d in range(chosen[-1] + 1, day + 1 + 7 * (day < chosen[-1]))]
        else:
            chosen.append(day)
        span = False
    return tuple(chosen)


def _series(matches: Mapping[str, re.Match[str]], at: time) -> Recurrence | Rejection | None:
    """The series a command starts (每天, 每周一三五, 每个工作日, 每月15号), if any."""
    if "workdays" in matches:
        return Recurrence("workdays", at)
    if "weekly" in matches:
        return Recurrence("weekly", at, weekdays=_weekdays(matches["weekly"]["days"]))
    if "monthly" in matches:
        day = cn_int(matches["monthly"]["day"]) or 0
        if not 1 <= day <= _LONGEST_MONTH_DAY:
            return Rejection(
                "no_date", "每月提醒请选 1 到 28 号之间的日子（不是每个月都有 29-31 号）"
            )
        return Recurrence("monthly", at, day=day)
    if "daily" in matches:
        return Recurrence("daily", at)
    return None


def _at(day: Day, hour: int, minute: int, tz: ZoneInfo, roll: int = 0) -> datetime:
    """``day`` (moved on ``roll`` days) at hour:minute; hours from 24 are the next day's."""
    start = datetime.combine(day.date + timedelta(days=roll + hour // 24), time(0), tzinfo=tz)
    return start.replace(hour=hour % 24, minute=minute)


def when(
    matches: Mapping[str, re.Match[str]], local: datetime, tz: ZoneInfo, default_time: time
) -> tuple[datetime, Recurrence | None] | Rejection:
    """The first due time (after ``local``, aware in ``tz``) and the series, if any."""
    clock = clock_of(matches, _period(matches))
    if isinstance(clock, Rejection):
        return clock
    at = default_time if clock is None else time(clock[0] % 24, clock[1])
    series = _series(matches, at)
    if isinstance(series, Rejection):
        return series
    if series is not None:
        return series.next_after(local), series
    due = _once(matches, local, tz, clock, default_time)
    return due if isinstance(due, Rejection) else (due, None)


def _once(
    matches: Mapping[str, re.Match[str]],
    local: datetime,
    tz: ZoneInfo,
    clock: tuple[int, int] | None,
    default_time: time,
) -> datetime | Rejection:
    """A one-off's due time: the clock said (or ``default_time``) on the day named."""
    offset = offset_of(matches)
    if offset is not None and (clock is None or not offset.names_a_day):
        return offset.after(local)
    day = Day(offset.after(local).date()) if offset is not None else day_of(matches, local.date())
    if isinstance(day, Rejection):
        return day
    if day is None and clock is None:
        return Rejection("no_time", f"什么时候提醒你？{EXAMPLE}")
    day = day or Day(local.date(), roll=1)  # a time alone: today's, or tomorrow's once past
    hour, minute = clock or (default_time.hour, default_time.minute)
    due = _at(day, hour, minute, tz)
    if due <= local and day.roll:
        due = _at(day, hour, minute, tz, day.roll)
    if due <= local:
        return Rejection("past", f"{format_due(due)} 已经过去了，请说一个将来的时间")
    return due
