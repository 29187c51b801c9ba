"""Times counted from now: 30分钟后, 一个半小时后, 1小时20分钟以后, 过两天, 3个月后."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from nlp.timeparse.patterns import AMOUNT_RE
from nlp.timeparse.text import cn_number

_SECONDS: Final = {
    "秒": 1,
    "秒钟": 1,
    "分": 60,
    "分钟": 60,
    "刻": 900,
    "刻钟": 900,
    "小时": 3600,
    "个小时": 3600,
    "钟头": 3600,
    "个钟头": 3600,
    "个钟": 3600,
}
_DAYS: Final = {"天": 1, "日": 1, "周": 7, "星期": 7, "个星期": 7, "礼拜": 7, "个礼拜": 7}
_MONTHS: Final = {"个月": 1, "年": 12}
_DAYS_IN_HALF_MONTH: Final = 15


@dataclass(frozen=True, slots=True)
class Offset:
    """A span from now: clock time (hours and less), calendar days, calendar months."""

    seconds: float = 0
    days: float = 0
    months: int = 0

    @property
    def names_a_day(self) -> bool:
        """Whether it counts days or more (3天后 may take a time of day: 3天后上午10点)."""
        return bool(self.days or self.months)

    def after(self, local: datetime) -> datetime:
        """``local`` moved on: months and days on the wall clock, hours in elapsed time."""
        year, month = divmod(local.year * 12 + local.month - 1 + self.months, 12)
        day = min(local.day, calendar.monthrange(year, month + 1)[1])  # 1月31日 + 1个月: 2月28日
        moved = local.replace(year=year, month=month + 1, day=day) + timedelta(days=self.days)
        elapsed = moved.astimezone(UTC) + timedelta(seconds=self.seconds)
        return elapsed.astimezone(local.tzinfo)


def offset_of(matches: Mapping[str, re.Match[str]]) -> Offset | None:
    """The span a relative expression counts; None if the command has none."""
    if "relative" not in matches:
        return None
    seconds = days = 0.0
    months = 0
    for part in AMOUNT_RE.finditer(matches["relative"]["amounts"]):
        amount = 0.5 if part["n"] == "半" else cn_number(part["n"])
        amount += 0.5 if part["half"] or part["half_after"] else 0
        unit = part["unit"]
        if unit in _MONTHS:
            whole = int(amount * _MONTHS[unit])
            months += whole
            days += (amount * _MONTHS[unit] - whole) * 2 * _DAYS_IN_HALF_MONTH  # 半个月: 15天
        elif unit in _DAYS:
            days += amount * _DAYS[unit]
        else:
            seconds += amount * _SECONDS[unit]
    return Offset(seconds, days, months)
