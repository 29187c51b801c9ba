"""Staff commands about reminders: create (timeparse), 我的提醒 (list), 取消提醒 N (cancel)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from nlp.timeparse import ParsedReminder, Rejection, parse_reminder

_LIST: Final = re.compile(r"(?:我的|查看|查询|列出)?(?:我的)?(?:全部|所有)?提醒(?:列表)?[?？]?")
_CANCEL: Final = re.compile(r"(?:取消|删除|删掉)(?:提醒)?\s*#?(?P<id>\d+)?(?:号)?(?:提醒)?")
_MENTIONS: Final = re.compile(r"提醒|叫我")


@dataclass(frozen=True, slots=True)
class ListReminders:
    """我的提醒."""


@dataclass(frozen=True, slots=True)
class CancelReminder:
    """取消提醒 3."""

    reminder_id: int


Command = ParsedReminder | ListReminders | CancelReminder | Rejection


def mentions_reminder(text: str) -> bool:
    """Whether a staff message is about reminders at all (others are not answered here)."""
    return bool(_MENTIONS.search(text))


def parse_command(text: str, now: datetime, default_time: time, tz: ZoneInfo) -> Command:
    """What a staff message about reminders asks for."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if _LIST.fullmatch(compact):
        return ListReminders()
    cancel = _CANCEL.fullmatch(compact)
    if cancel is not None:
        if cancel["id"] is None:
            return Rejection("invalid", "要取消哪一条？例如“取消提醒 3”（发“我的提醒”查看编号）")
        return CancelReminder(int(cancel["id"]))
    return parse_reminder(text, now, default_time=default_time, tz=tz)
