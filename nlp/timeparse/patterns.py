"""The time expressions of a command, found by kind and taken out of it.

Each kind is searched once, in the table's order, on what the kinds before it left: series
first (每周一三五 holds weekdays), then relative times (3天后 holds a day), dates, days, and
the clock last. What no kind took is the task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from nlp.timeparse.text import NUM

HOLE: Final = "\x1f"  # stands where an expression was taken out; no pattern matches it
WEEK: Final = r"(?:周|星期|礼拜)"
# A weekday, not the hour of 周五5点 or 周三点; the first of a list may take 十 (周三十点).
_DAY1: Final = r"(?:[一二三四五六日天](?![点时:号分])|[1-7](?![\d点时:号分.]))"
_DAYN: Final = r"(?:[三四五六日天](?![点时:号分])|[一二](?![点时:号分十])|[1-7](?![\d点时:号分.]))"
_WHICH: Final = r"(?P<which>下下个?|下个?|这个?|本|上个?)"
_UNIT: Final = r"(?:秒钟?|分钟|分|刻钟|刻|个?小时|个?钟头|个钟|天|日|个?星期|个?礼拜|周|个月|年)"
AMOUNT: Final = rf"(?P<n>{NUM}|半)(?P<half>个半|半)?(?P<unit>{_UNIT})(?P<half_after>半)?"
_AMOUNTS: Final = rf"(?:(?:{NUM}|半)(?:个半|半)?{_UNIT}半?[零又]?){{1,3}}"  # 两天半, 一年半
_AFTER: Final = r"(?:以后|之后|过后|后)"
_NOT_PLACE: Final = r"(?![楼线门房室机位床窗柜馆厅店仓库口车箱台桌座栋单元])"
_NOT_AMOUNT: Final = r"(?![\d.:/-]|[万千百元块%折倍分秒米斤个件台版期kKwW])"

PATTERNS: Final = {
    # series
    "workdays": rf"每个?工作日(?:每天)?|工作日(?:每天)?|每个?{WEEK}一(?:到|至|~|-){WEEK}?五"
    rf"|{WEEK}一(?:到|至|~|-){WEEK}?五每天",
    "weekly": rf"每个?{WEEK}(?P<days>{_DAY1}(?:(?:[和、,/及与跟]|到|至|~)?{WEEK}?{_DAYN})*)",
    "monthly": rf"每个?月(?P<day>{NUM})[号日]",
    "daily": r"每天|每日|(?<![今明后昨前])天天|每个?(?P<part>晚|早)上?",
    # relative: 一个半小时后, 过两天, 1小时30分钟以后, 三刻钟后
    "relative": rf"(?P<pre>再?过)?(?P<amounts>{_AMOUNTS})(?(pre){_AFTER}?|{_AFTER})",
    # dates
    "isodate": r"(?<![\d.])(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)",
    "cndate": rf"(?:(?P<year>\d{{4}})年|(?P<yw>今年|明年|后年))?(?P<month>{NUM})月"
    rf"(?P<day>{NUM})[日号]?",
    "slash": r"(?<![\d.:/-])(?P<month>\d{1,2})[/-](?P<day>\d{1,2})(?![\d:/-])",
    "dotclock": r"(?<=[午晨上晚早里])(?P<hour>\d{1,2})\.(?P<minute>\d{2})(?!\d)",  # 下午2.30
    "dotted": rf"(?<![\dA-Za-z.¥$])(?P<month>\d{{1,2}})\.(?P<day>\d{{1,2}}){_NOT_AMOUNT}",
    # days
    "dayword": r"大后天|后天|明天|今天|明早|明晚|今早|今晚|明儿|今儿|明日|今日",
    "weekend": rf"(?<!每)(?P<which>下下个?|下个?|这个?|本)?{WEEK}末",
    "weekday": rf"{_WHICH}?{WEEK}(?P<wd>{_DAY1})",
    "week": rf"(?P<which>下下个?|下个?){WEEK}",
    "month": rf"(?<!每)(?P<which>下下个?|下个?|这个?|本)月"
    rf"(?:(?P<day>{NUM})[号日]|(?P<end>[底末]))?",
    "monthend": r"(?<![每个])月[底末]",
    "monthday": rf"(?<![\d.月第])(?P<day>{NUM})[号日]{_NOT_PLACE}",
    # clock
    "colon": r"(?<![\d:])(?P<hour>\d{1,2}):(?P<minute>\d{2})(?![\d:])",
    "clock": rf"(?P<part>[早晚])?(?P<hour>{NUM})(?P<mark>[点时])钟?"
    r"(?:(?P<half>半)|(?P<q>[一三13]刻)|整|过?(?P<minute>\d{2}(?!\d)|\d{1,2}(?=分)|[零〇一二三四五六七八九十]+)分?)?",
    "period": r"凌晨|早上|早晨|清晨|上午|中午|下午|午后|傍晚|晚上|夜里|夜晚|深夜|半夜|晚间",
}
COMPILED: Final = {name: re.compile(pattern) for name, pattern in PATTERNS.items()}
AMOUNT_RE: Final = re.compile(AMOUNT)
_A_LITTLE: Final = frozenset("早快多少晚有大小慢高低好差")  # 早一点 is "a little", not 1:00


def _is_clock(match: re.Match[str], haystack: str) -> bool:
    """Whether a bare 一点 / 一时 is one o'clock (一时 never is; 一点 unless "a little")."""
    if match["hour"] != "一" or match["half"] or match["q"] or match["minute"]:
        return True
    before = haystack[match.start() - 1] if match.start() else ""
    after = haystack[match.end() : match.end() + 1]
    little = match["part"] or before in _A_LITTLE or after in {"点", "儿"}
    return match["mark"] == "点" and not little


@dataclass(slots=True)
class Found:
    """The expressions taken out of ``text``, by kind, and which characters they covered."""

    text: str
    matches: dict[str, re.Match[str]]
    taken: list[bool]

    def rest(self) -> str:
        """``text`` less every expression found."""
        return "".join(c for c, gone in zip(self.text, self.taken, strict=True) if not gone)


def _first(name: str, haystack: str) -> re.Match[str] | None:
    for match in COMPILED[name].finditer(haystack):
        if name != "clock" or _is_clock(match, haystack):
            return match
    return None


def scan(text: str, masked: str) -> Found:
    """Find each kind of expression once in ``masked`` (``text`` with names hidden)."""
    found = Found(text, {}, [False] * len(text))
    haystack = masked
    for name in COMPILED:
        match = _first(name, haystack)
        if match is None:
            continue
        found.matches[name] = match
        start, end = match.span()
        haystack = haystack[:start] + HOLE * (end - start) + haystack[end:]
        found.taken[start:end] = [True] * (end - start)
    return found
