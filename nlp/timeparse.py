"""Natural Chinese reminder commands → what, when, how often and for which customer (pure).

``parse_reminder("提醒我明天下午3点回访张三", now)`` gives a ``ParsedReminder`` (task 回访张三,
due tomorrow 15:00, customer hint 张三) or a ``Rejection`` whose ``reason`` tells the staff
member what to write instead. Time expressions are found wherever they stand, removed, and what
is left (less 提醒我) is the task. Nothing here reads the clock: ``now`` is passed in.

Readings chosen on purpose: an hour without 上午/下午 means 7-11 a.m., 12 noon, 1-6 p.m. (a
working day); a day without an hour means ``default_time`` (09:00); 周五 is the coming Friday,
这周五 this week's, 下周五 next week's (weeks start on Monday); a bare hour already past today
is rejected rather than silently moved to tomorrow.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
NUM: Final = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+)"
_DIGITS: Final = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_WEEKDAYS: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}  # fmt: skip
_WEEKDAY_NAMES: Final = "一二三四五六日"
_DAY_WORDS: Final = {"今天": (0, None), "今儿": (0, None), "今早": (0, "早上"), "今晚": (0, "晚上"),
                     "明天": (1, None), "明儿": (1, None), "明早": (1, "早上"), "明晚": (1, "晚上"),
                     "后天": (2, None), "大后天": (3, None)}  # fmt: skip
_PERIOD_DEFAULT: Final = {"早上": 8, "早晨": 8, "清晨": 7, "上午": 9, "中午": 12, "午后": 14,
                          "下午": 14, "傍晚": 18, "晚上": 20, "夜里": 21}  # fmt: skip
_PM: Final = frozenset({"下午", "午后", "傍晚", "晚上", "夜里", "半夜"})
_UNIT_SECONDS: Final = {"分钟": 60, "小时": 3600, "钟头": 3600, "天": 86400, "周": 604800,
                        "星期": 604800, "礼拜": 604800}  # fmt: skip

RecurrenceKind = Literal["daily", "workdays", "weekly", "monthly"]
RejectionCode = Literal["no_time", "no_task", "past", "ambiguous", "invalid"]
EXAMPLE: Final = "例如“明天下午3点提醒我回访张三”或“30分钟后提醒我给李四发报价”"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Repeats at ``at`` every day, every working day, every week on ``weekday`` or month."""

    kind: RecurrenceKind
    at: time
    weekday: int | None = None  # 0 = Monday
    day: int | None = None  # of the month

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after ``moment``, in ``moment``'s time zone."""
        day = moment.date()
        for _ in range(400):
            if self._falls_on(day):
                candidate = datetime.combine(day, self.at, tzinfo=moment.tzinfo)
                if candidate > moment:
                    return candidate
            day += timedelta(days=1)
        raise ValueError(f"{self} never occurs")  # e.g. monthly on day 31 never fits: unreachable

    def _falls_on(self, day: date) -> bool:
        if self.kind == "workdays":
            return day.weekday() < 5  # noqa: PLR2004 - Monday..Friday
        if self.kind == "weekly":
            return day.weekday() == self.weekday
        if self.kind == "monthly":
            return day.day == self.day
        return True

    def describe(self) -> str:
        """每天 09:00, 每周五 17:00, 每月1号 10:00, 每个工作日 09:00."""
        clock = self.at.strftime("%H:%M")
        if self.kind == "weekly" and self.weekday is not None:
            return f"每周{_WEEKDAY_NAMES[self.weekday]} {clock}"
        if self.kind == "monthly":
            return f"每月{self.day}号 {clock}"
        return f"{'每个工作日' if self.kind == 'workdays' else '每天'} {clock}"


@dataclass(frozen=True, slots=True)
class ParsedReminder:
    """What to remind of, when first, how often, and a customer named in the task."""

    task: str
    due: datetime
    recurrence: Recurrence | None = None
    customer_hint: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a command was not understood, said so the staff member can fix it."""

    code: RejectionCode
    reason: str


def cn_number(text: str) -> float:
    """``15``, ``1.5``, ``十五``, ``二十``, ``三十一``, ``两``, ``零五`` as a number."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)
    value = 0
    for char in text:
        value = value * 10 + _DIGITS[char]
    return value


def _int(text: str | None) -> int | None:
    return None if text is None else int(cn_number(text))


_PATTERNS: Final = {
    "workdays": r"每个?工作日|工作日(?:每天)?|每周一(?:到|至)周五",
    "daily": r"每天|每日",
    "weekly": r"每个?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])",
    "monthly": rf"每个?月(?P<day>{NUM})(?:号|日)",
    "date": rf"(?:(?P<year>\d{{4}})年)?(?P<month>{NUM})月(?P<day>{NUM})(?:日|号)?",
    "slash": r"(?<!\d)(?P<month>\d{1,2})/(?P<day>\d{1,2})(?!\d)",
    "quarter": r"过?一刻钟(?:后|以后|之后)",
    "relative": rf"(?P<pre>过)?(?P<n>{NUM}|半)(?P<half>个半)?个?"
    r"(?P<unit>分钟|小时|钟头|天|周|星期|礼拜)"
    r"(?(pre)(?:后|以后|之后)?|(?:后|以后|之后))",  # 过10分钟, 10分钟后
    "dayword": r"大后天|后天|明天|今天|明早|明晚|今早|今晚|明儿|今儿",
    "weekday": r"(?P<which>下下个?|下个?|这个?|本|上个?)?(?:周|星期|礼拜)"
    r"(?P<wd>[一二三四五六日天1-7])",
    "nextweek": r"下个?(?:周|星期|礼拜)",
    "monthday": rf"(?P<day>{NUM})(?:号|日)",
    "colon": r"(?<!\d)(?P<hour>\d{1,2})[:](?P<minute>\d{2})(?!\d)",
    "clock": rf"(?P<hour>{NUM})(?:点|时)钟?"
    rf"(?:(?P<half>半)|(?P<q>一刻|三刻)|整|过?(?P<minute>{NUM})分?)?",
    "period": r"凌晨|早上|早晨|清晨|上午|中午|下午|午后|傍晚|晚上|夜里|半夜",
}
_COMPILED: Final = {name: re.compile(pattern) for name, pattern in _PATTERNS.items()}
_MARKER: Final = re.compile(r"(?:请|记得|帮我)?(?:提醒一下我|提醒我一下|提醒我|提醒下我|提醒|叫我)")
_VERB_NAME: Final = re.compile(
    r"(?:回访|跟进|联系|拜访|致电|打电话给|打给|给|约|问问|问|催|找)"
    r"(?P<name>[\u4e00-\u9fff]{2,4}?)(?=发|打|送|寄|的|说|聊|确认|沟通|报价|电话|签|续|一下|见|吃|$)"
)


@dataclass(slots=True)
class _Found:
    """Time expressions found in a command, each by the name of its pattern."""

    matches: dict[str, re.Match[str]]
    rest: str


def _scan(text: str) -> _Found:
    """Take each kind of time expression out of ``text`` (first occurrence of each)."""
    matches: dict[str, re.Match[str]] = {}
    rest = text
    for name, pattern in _COMPILED.items():
        match = pattern.search(rest)
        if match is not None:
            matches[name] = match
            rest = rest[: match.start()] + " " + rest[match.end() :]
    return _Found(matches, rest)


def _task(rest: str) -> str:
    task = _MARKER.sub(" ", rest, count=1)
    return re.sub(r"\s+", "", task).strip("，,。.！!：:;；、的在到去要") or ""


def _clock(found: _Found, period: str | None) -> tuple[int, int] | Rejection | None:
    """(hour, minute) in 24 h as far as the command says it; None if it gives no hour."""
    m = found.matches
    if "colon" in m:
        hour, minute = int(m["colon"]["hour"]), int(m["colon"]["minute"])
    elif "clock" in m:
        hour = int(cn_number(m["clock"]["hour"]))
        quarter = {"一刻": 15, "三刻": 45}.get(m["clock"]["q"] or "", 0)
        minute = 30 if m["clock"]["half"] else quarter or (_int(m["clock"]["minute"]) or 0)
    elif period is not None and period in _PERIOD_DEFAULT:
        return _PERIOD_DEFAULT[period], 0
    elif period is not None:
        return Rejection("ambiguous", f"“{period}”几点？请说具体时间，{EXAMPLE}")
    else:
        return None
    if hour > 24 or minute > 59:  # noqa: PLR2004
        return Rejection("invalid", f"没有 {hour}:{minute:02d} 这个时间，{EXAMPLE}")
    if (period in _PM and hour < 12) or (period == "中午" and hour < 3):  # noqa: PLR2004
        hour += 12  # 下午3点 is 15:00, 中午1点 13:00
    elif period in {"晚上", "夜里", "半夜", "凌晨"} and hour == 12:  # noqa: PLR2004
        hour = 24  # 晚上12点: the coming midnight
    return hour, minute


def _at(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    """``day`` at hour:minute local time; hour 24 is the next midnight."""
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=hour, minutes=minute)


def format_due(moment: datetime) -> str:
    """11月25日 15:00, as the confirmation says it."""
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def _recurrence(found: _Found, at: time) -> Recurrence | Rejection | None:
    m = found.matches
    if "workdays" in m:
        return Recurrence("workdays", at)
    if "weekly" in m:
        return Recurrence("weekly", at, weekday=_WEEKDAYS[m["weekly"]["wd"]])
    if "monthly" in m:
        day = int(cn_number(m["monthly"]["day"]))
        if not 1 <= day <= 28:  # noqa: PLR2004 - every month has days 1..28
            return Rejection(
                "invalid", "每月提醒请选 1 到 28 号之间的日子（不是每个月都有 29-31 号）"
            )
        return Recurrence("monthly", at, day=day)
    if "daily" in m:
        return Recurrence("daily", at)
    return None


def _explicit_date(match: re.Match[str], today: date) -> date | Rejection:
    month, day = int(cn_number(match["month"])), int(cn_number(match["day"]))
    year = int(match.groupdict().get("year") or today.year)
    try:
        found = date(year, month, day)
    except ValueError:
        return Rejection("invalid", f"没有 {month}月{day}日 这一天，{EXAMPLE}")
    if not match.groupdict().get("year") and (today - found).days > 60:  # noqa: PLR2004
        try:  # long past this year: the user means next year's
            found = found.replace(year=year + 1)
        except ValueError:
            return Rejection("invalid", f"明年没有 {month}月{day}日，请写明年份")
    return found


def _weekday(match: re.Match[str], today: date) -> tuple[date, bool] | Rejection:
    """The day, and whether it may roll a week on (a bare 周五 already past today)."""
    weekday, which = _WEEKDAYS[match["wd"]], match["which"] or ""
    monday = today - timedelta(days=today.weekday())
    if which.startswith("上"):
        return Rejection("past", "上周已经过去了，请说一个将来的时间")
    if which.startswith("下下"):
        return monday + timedelta(days=14 + weekday), False
    if which.startswith("下"):
        return monday + timedelta(days=7 + weekday), False
    if which:  # 这周五 / 本周五
        return monday + timedelta(days=weekday), False
    return today + timedelta(days=(weekday - today.weekday()) % 7), True


def _monthday(match: re.Match[str], today: date) -> date | Rejection:
    day = int(cn_number(match["day"]))
    year, month = today.year, today.month
    if day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004
    try:
        return date(year, month, day)
    except ValueError:
        return Rejection("invalid", f"{month}月没有 {day} 号，{EXAMPLE}")


def _day(found: _Found, today: date) -> tuple[date, bool] | Rejection | None:
    """The date a command names, and whether it may roll on a week; None if it names none."""
    m = found.matches
    chosen: date | Rejection
    if "date" in m or "slash" in m:
        chosen = _explicit_date(m.get("date") or m["slash"], today)
    elif "dayword" in m:
        chosen = today + timedelta(days=_DAY_WORDS[m["dayword"].group(0)][0])
    elif "weekday" in m:
        return _weekday(m["weekday"], today)
    elif "nextweek" in m:
        chosen = today + timedelta(days=7 - today.weekday())
    elif "monthday" in m:
        chosen = _monthday(m["monthday"], today)
    else:
        return None
    return chosen if isinstance(chosen, Rejection) else (chosen, False)


def _relative(found: _Found) -> timedelta | None:
    m = found.matches
    if "quarter" in m:
        return timedelta(minutes=15)
    if "relative" not in m:
        return None
    match = m["relative"]
    amount = 0.5 if match["n"] == "半" else cn_number(match["n"])
    amount += 0.5 if match["half"] else 0
    return timedelta(seconds=amount * _UNIT_SECONDS[match["unit"]])


def _customer_hint(task: str) -> str | None:
    match = _VERB_NAME.search(task)
    return match["name"] if match else None


def _today(local: datetime, hour: int, minute: int, period: str | None) -> datetime | Rejection:
    """A time with no date: today, unless that reading is past or ambiguous."""
    conventional = hour + 12 if period is None and 1 <= hour <= 6 else hour  # noqa: PLR2004
    due = _at(local.date(), conventional, minute, local.tzinfo)  # type: ignore[arg-type]
    if due > local:
        return due
    if period is None and 1 <= hour <= 11:  # noqa: PLR2004
        other = hour if conventional != hour else hour + 12
        other_due = _at(local.date(), other, minute, local.tzinfo)  # type: ignore[arg-type]
        if other_due > local:
            return Rejection("ambiguous", f"是今天 {other_due:%H:%M} 还是明天 {due:%H:%M}？"
                             "请加上“上午/下午/晚上”或“明天”")  # fmt: skip
    return Rejection("past", f"今天 {due:%H:%M} 已经过了。要明天提醒的话，请说“明天…提醒我…”")


def _on_day(
    day: tuple[date, bool], clock: tuple[int, int] | None, period: str | None,
    local: datetime, default_time: time,
) -> datetime | Rejection:  # fmt: skip
    """A named day at the command's time (or ``default_time``)."""
    if clock is None and period is None:
        hour, minute = default_time.hour, default_time.minute
    else:
        hour, minute = clock or (default_time.hour, default_time.minute)
        if period is None and 1 <= hour <= 6:  # noqa: PLR2004 - working-day reading
            hour += 12
    due = _at(day[0], hour, minute, local.tzinfo)  # type: ignore[arg-type]
    if due <= local and day[1]:
        due += timedelta(days=7)
    if due <= local:
        return Rejection("past", f"{format_due(due)} 已经过去了，请说一个将来的时间")
    return due


def _when(
    found: _Found, local: datetime, default_time: time
) -> tuple[datetime, Recurrence | None] | Rejection:
    """The first due time and the recurrence a command names."""
    m = found.matches
    day_word = m["dayword"].group(0) if "dayword" in m else ""
    period = m["period"].group(0) if "period" in m else _DAY_WORDS.get(day_word, (0, None))[1]
    clock = _clock(found, period)
    if isinstance(clock, Rejection):
        return clock
    at = time(*clock) if clock and clock[0] < 24 else default_time  # noqa: PLR2004
    recurrence = _recurrence(found, at)
    if recurrence is not None:
        return recurrence if isinstance(recurrence, Rejection) else (
            recurrence.next_after(local), recurrence)  # fmt: skip
    delta = _relative(found)
    if delta is not None and (clock is None or delta < timedelta(days=1)):
        return local + delta, None
    day = _day(found, local.date()) if delta is None else ((local + delta).date(), False)
    if isinstance(day, Rejection):
        return day
    if day is None and clock is None:
        return Rejection("no_time", f"什么时候提醒你？{EXAMPLE}")
    due = (
        _today(local, clock[0], clock[1], period) if day is None and clock is not None
        else _on_day(day or (local.date(), False), clock, period, local, default_time)
    )  # fmt: skip
    return due if isinstance(due, Rejection) else (due, None)


def parse_reminder(
    text: str, now: datetime, *, default_time: time = time(9, 0), tz: ZoneInfo = SHANGHAI
) -> ParsedReminder | Rejection:
    """Understand one reminder command relative to ``now`` (aware), in time zone ``tz``."""
    found = _scan(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip())
    task = _task(found.rest)
    if not task:
        return Rejection("no_task", f"要提醒你做什么？{EXAMPLE}")
    when = _when(found, now.astimezone(tz), default_time)
    if isinstance(when, Rejection):
        return when
    return ParsedReminder(task, when[0], when[1], _customer_hint(task))
