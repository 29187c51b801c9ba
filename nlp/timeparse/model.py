"""What a reminder command comes to: a reminder, or a rejection with its reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from nlp.timeparse.recurrence import Recurrence

RejectionCode = Literal["no_time", "no_task", "past", "ambiguous", "invalid", "no_date"]

# The short reasons of ``siyu reminders parse`` (its "error" field), one per code.
NO_TIME: Final = "没有找到时间"
NO_TASK: Final = "没有提醒内容"
PAST: Final = "时间已经过去"
UNCLEAR: Final = "时间不明确"
NO_SUCH_TIME: Final = "时间不存在"
NO_SUCH_DATE: Final = "日期不存在"
ERRORS: Final[Mapping[RejectionCode, str]] = {
    "no_time": NO_TIME,
    "no_task": NO_TASK,
    "past": PAST,
    "ambiguous": UNCLEAR,
    "invalid": NO_SUCH_TIME,
    "no_date": NO_SUCH_DATE,
}
EXAMPLE: Final = "例如“明天下午3点提醒我回访张三”或“30分钟后提醒我给李四发报价”"


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
    reason: str  # the chat reply: what to write instead
    task: str = ""  # what the command asked to do, when that much was understood

    @property
    def error(self) -> str:
        """The short reason (没有找到时间, 时间已经过去, 日期不存在, …)."""
        return ERRORS[self.code]


def format_due(moment: datetime) -> str:
    """11月25日 15:00, as the confirmation says it."""
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
