"""The time of day a command names: 下午3点, 15:30, 三点一刻, or a part of the day alone.

An hour is returned as the hours after the named day's midnight: 晚上12点 is 24 and 今晚1点
is 25 (the night after the day). Without a part of the day, 1-6 o'clock are afternoon hours
(a working day's reading: 3点 is 15:00), 7-11 morning hours; 03:30 with its zero is 03:30.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from nlp.timeparse.model import EXAMPLE, Rejection
from nlp.timeparse.text import cn_int, cn_number

PERIOD_HOURS: Final[Mapping[str, int]] = {
    "早上": 8,
    "早晨": 8,
    "早": 8,
    "清晨": 7,
    "上午": 9,
    "中午": 12,
    "午后": 14,
    "下午": 15,
    "傍晚": 18,
    "晚上": 20,
    "晚": 20,
    "晚间": 20,
    "夜里": 21,
    "夜晚": 21,
}  # 凌晨, 半夜 and 深夜 have no usual hour: the command must say it
_AFTERNOON: Final = frozenset({"下午", "午后", "傍晚"})
_NIGHT: Final = frozenset({"晚上", "晚", "晚间", "夜里", "夜晚", "深夜", "半夜"})
_QUARTERS: Final = {"一": 15, "1": 15, "三": 45, "3": 45}
_NOON: Final = 12
_LAST_PM_HOUR: Final = 6  # a bare 1-6 o'clock is in the afternoon
_SMALL_HOURS: Final = 5  # 晚上1点 .. 晚上5点 are after midnight
_MIDNIGHT: Final = 24


def _read(matches: Mapping[str, re.Match[str]]) -> tuple[int, int, bool] | None:
    """Hour, minute, and whether the hour was written with a leading zero (03:30)."""
    if "colon" in matches or "dotclock" in matches:
        match = matches.get("colon") or matches["dotclock"]
        return int(match["hour"]), int(match["minute"]), match["hour"].startswith("0")
    if "clock" not in matches:
        return None
    match = matches["clock"]
    hour = int(cn_number(match["hour"]))
    if match["half"]:
        minute = 30
    elif match["q"]:
        minute = _QUARTERS[match["q"][0]]
    else:
        minute = cn_int(match["minute"]) or 0
    return hour, minute, len(match["hour"]) > 1 and match["hour"].startswith("0")


def _at_night(hour: int) -> int:
    """晚上8点 = 20, 晚上12点 = 24, 晚上1点 = 25 (after midnight), 晚上22点 = 22."""
    if hour in {0, _NOON}:
        return _MIDNIGHT
    if hour <= _SMALL_HOURS:
        return hour + _MIDNIGHT
    return hour + 12 if hour < _NOON else hour


def _in_period(hour: int, period: str | None, zero: bool) -> int:
    """The hour after the day's midnight that ``hour`` o'clock means in ``period``."""
    if period is None:
        return hour + 12 if 1 <= hour <= _LAST_PM_HOUR and not zero else hour
    if period in _NIGHT:
        return _at_night(hour)
    if period in _AFTERNOON or (period == "中午" and hour <= 2):  # noqa: PLR2004 - 中午1点, 2点
        return hour + 12 if hour < _NOON else hour
    if period == "凌晨" and hour == _NOON:
        return 0
    return hour


def clock_of(
    matches: Mapping[str, re.Match[str]], period: str | None
) -> tuple[int, int] | Rejection | None:
    """(hour after midnight, minute) as far as the command says; None if it names no time."""
    read = _read(matches)
    if read is None:
        if period is None:
            return None
        if period in PERIOD_HOURS:
            return PERIOD_HOURS[period], 0
        return Rejection("ambiguous", f"“{period}”几点？请说具体时间，{EXAMPLE}")
    hour, minute, zero = read
    if hour > _MIDNIGHT or minute > 59 or (hour == _MIDNIGHT and minute):  # noqa: PLR2004
        return Rejection("invalid", f"没有 {hour}:{minute:02d} 这个时间，{EXAMPLE}")
    return _in_period(hour, period, zero), minute
