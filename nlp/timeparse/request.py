"""One staff message → a reminder or a rejection: for the chat command and the CLI alike."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from nlp.timeparse.model import EXAMPLE, ParsedReminder, Rejection
from nlp.timeparse.parse import when
from nlp.timeparse.patterns import scan
from nlp.timeparse.task import customer_hint, known_customer, known_names, mask, task_of
from nlp.timeparse.text import normalize

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
NINE: Final = time(9, 0)


@dataclass(frozen=True, slots=True)
class ReminderRequest:
    """A message as ``siyu reminders parse`` reports it; ``outcome`` is what chat replies to."""

    text: str
    outcome: ParsedReminder | Rejection
    customer: str | None = None  # a known customer the task names, spelled as given

    def as_json(self) -> dict[str, str | None]:
        """{"text", "due", "rrule", "task", "customer", "error"}: due in ISO 8601 with offset."""
        if isinstance(self.outcome, Rejection):
            return {
                "text": self.text,
                "due": None,
                "rrule": None,
                "task": self.outcome.task or None,
                "customer": self.customer,
                "error": self.outcome.error,
            }
        series = self.outcome.recurrence
        return {
            "text": self.text,
            "due": self.outcome.due.isoformat(timespec="seconds"),
            "rrule": series.rrule if series else None,
            "task": self.outcome.task,
            "customer": self.customer,
            "error": None,
        }


def parse_request(
    text: str,
    now: datetime,
    known_customers: Collection[str] = (),
    *,
    tz: ZoneInfo = SHANGHAI,
    default_time: time = NINE,
) -> ReminderRequest:
    """Understand one reminder command at ``now`` in ``tz`` (a naive ``now`` is read in ``tz``).

    Pure: the clock, the time zone and the staff member's customers are all passed in.
    ``known_customers`` are names (or remarks); the one the task names is ``customer``, and
    no time pattern reads into them (周一鸣 is a name, not Monday).
    """
    names = known_names(known_customers)
    normalized = normalize(text)
    found = scan(normalized, mask(normalized, names))
    task = task_of(found.rest())
    customer = known_customer(task, names)
    if not task:
        return ReminderRequest(text, Rejection("no_task", f"要提醒你做什么？{EXAMPLE}"))
    local = now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)
    try:
        due = when(found.matches, local, tz, default_time)
    except (OverflowError, ValueError):  # 9999年12月31日晚上12点, 99999999天后: off the calendar
        due = Rejection("no_date", f"这个时间超出了日历，{EXAMPLE}")
    if isinstance(due, Rejection):
        return ReminderRequest(text, Rejection(due.code, due.reason, task), customer)
    parsed = ParsedReminder(task, due[0], due[1], customer or customer_hint(task))
    return ReminderRequest(text, parsed, customer)


def parse_reminder(
    text: str,
    now: datetime,
    *,
    default_time: time = NINE,
    tz: ZoneInfo = SHANGHAI,
    known_customers: Collection[str] = (),
) -> ParsedReminder | Rejection:
    """Understand one reminder command relative to ``now`` (aware), in time zone ``tz``."""
    return parse_request(text, now, known_customers, tz=tz, default_time=default_time).outcome
