"""Natural Chinese reminder commands → what, when, how often and for which customer (pure).

``parse_reminder("提醒我明天下午3点回访张三", now)`` gives a ``ParsedReminder`` (task 回访张三,
due tomorrow 15:00, customer hint 张三) or a ``Rejection`` whose ``reason`` tells the staff
member what to write instead and whose ``error`` is the short reason (没有找到时间, 时间已经过去,
日期不存在). ``parse_request`` is the same with the JSON line of ``siyu reminders parse``.
Nothing here reads the clock: ``now`` is passed in.

Readings chosen on purpose (the modules say more): a part of the day alone means 早上 8:00,
上午 9:00, 中午 12:00, 下午 15:00, 傍晚 18:00, 晚上 20:00; an hour without one means 7-11
a.m., 12 noon, 1-6 p.m.; a day without an hour means ``default_time`` (09:00); a time
without a day that has passed today is tomorrow's; 周五 is the coming Friday, 这周五 this
week's, 下周五 next week's; a date without a year that has passed is next year's.
"""

from nlp.timeparse.model import (
    ERRORS,
    NO_SUCH_DATE,
    NO_SUCH_TIME,
    NO_TASK,
    NO_TIME,
    PAST,
    UNCLEAR,
    ParsedReminder,
    Rejection,
    RejectionCode,
    format_due,
)
from nlp.timeparse.recurrence import Recurrence, RecurrenceKind
from nlp.timeparse.request import SHANGHAI, ReminderRequest, parse_reminder, parse_request
from nlp.timeparse.text import cn_number

__all__ = [
    "ERRORS",
    "NO_SUCH_DATE",
    "NO_SUCH_TIME",
    "NO_TASK",
    "NO_TIME",
    "PAST",
    "SHANGHAI",
    "UNCLEAR",
    "ParsedReminder",
    "Recurrence",
    "RecurrenceKind",
    "Rejection",
    "RejectionCode",
    "ReminderRequest",
    "cn_number",
    "format_due",
    "parse_reminder",
    "parse_request",
]
