"""Prompt cards: the button_interaction card a staff member acts on (doc 90236, 94888).

One due reminder gets a card of its own; several due together for one member go out as one
digest card whose buttons act on all of them (WeCom allows 30 prompts a minute per member).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from handlers.reminders.records import Reminder
from nlp.timeparse import format_due

DONE: Final = "done"
SNOOZE: Final = "snooze"
TOMORROW: Final = "tomorrow"
ACTIONS: Final = (DONE, SNOOZE, TOMORROW)
_TITLE_CHARS: Final = 26  # WeCom cuts longer titles (main_title.title, values)
_DIGEST_ROWS: Final = 6  # horizontal_content_list holds at most 6 rows


def task_id_for(reminder: Reminder) -> str:
    """The card's task_id: unique per app, ≤128 bytes of [a-zA-Z0-9_-@] (doc 90236)."""
    return f"siyu-r{reminder.id}-{reminder.due_ms}"


def _short(text: str, limit: int = _TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(reminder: Reminder, tz: ZoneInfo) -> str:
    return format_due(reminder.due.astimezone(tz))


def _single(reminder: Reminder, tz: ZoneInfo) -> dict[str, Any]:
    rows = [{"keyname": "到期", "value": _when(reminder, tz)}]
    if reminder.customer_name or reminder.customer_id:
        rows.append({"keyname": "客户", "value": _short(reminder.customer_name or "客户")})
    rows.append({"keyname": "编号", "value": f"#{reminder.id}"})
    card: dict[str, Any] = {
        "main_title": {"title": _short(reminder.text), "desc": "提醒"},
        "horizontal_content_list": rows,
    }
    if reminder.content:
        card["sub_title_text"] = _short(f"发送内容：{reminder.content}", 112)
    return card


def _digest(reminders: Sequence[Reminder], tz: ZoneInfo) -> dict[str, Any]:
    rows = [
        {"keyname": f"#{r.id}", "value": _short(f"{_when(r, tz)[-5:]} {r.text}")}
        for r in reminders[:_DIGEST_ROWS]
    ]
    more = len(reminders) - _DIGEST_ROWS
    return {
        "main_title": {"title": f"{len(reminders)} 条提醒到期", "desc": "按钮对全部生效"},
        "horizontal_content_list": rows,
        "sub_title_text": f"另有 {more} 条，发“我的提醒”查看" if more > 0 else "",
    }


def prompt_card(
    task_id: str, reminders: Sequence[Reminder], tz: ZoneInfo, snooze_minutes: int = 60
) -> dict[str, Any]:
    """The template_card body for ``reminders`` (one, or a digest of several)."""
    body = _single(reminders[0], tz) if len(reminders) == 1 else _digest(reminders, tz)
    hours = f"{snooze_minutes // 60}小时" if snooze_minutes % 60 == 0 else f"{snooze_minutes}分钟"
    return {
        "card_type": "button_interaction",
        "source": {"desc": "siyu 提醒"},
        **body,
        "task_id": task_id,
        "button_list": [
            {"text": "完成", "style": 1, "key": DONE},
            {"text": f"{hours}后提醒", "style": 2, "key": SNOOZE},
            {"text": "明天提醒", "style": 2, "key": TOMORROW},
        ],
    }


def replace_name(action: str, until: datetime | None, tz: ZoneInfo) -> str:
    """What the pressed card's buttons turn into."""
    if action == DONE or until is None:
        return "已完成"
    return f"已推迟到 {format_due(until.astimezone(tz))}"
