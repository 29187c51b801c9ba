"""ReminderDue: the synthetic event the scheduler queues when a reminder falls due.

It travels through the same stream as WeCom's callbacks, as the XML of an event kind WeCom
never sends (``siyu_reminder_due``), so a worker delivers it with the same retries, rate-limit
deferrals and dead letters as everything else. Its dedup key (reminder id + due time) makes
the leader's enqueue idempotent: a poll repeated after a crash or by a deposed leader is
dropped by the queue's one Lua call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Final

from bot.callbacks import message_xml
from bot.events.base import Event, Fields, Wire, common, composite_key, integer, unix

EVENT: Final = "siyu_reminder_due"  # the key in bot/events/registry.py
SENDER: Final = "siyu"  # not a WeCom userid: marks the event as siyu's own


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderDue(Event):
    """Reminder ``reminder_id`` is due at ``due_ms``; ``from_user`` is its assignee."""

    kind: ClassVar[str] = "reminder_due"
    wires: ClassVar[tuple[Wire, ...]] = (("event", EVENT, None),)
    internal: ClassVar[bool] = True  # queued by siyu, never by WeCom
    reminder_id: int
    due_ms: int

    @property
    def dedup_key(self) -> str:
        """The reminder and its due time: a snoozed reminder falls due again under a new key."""
        return composite_key("reminder_due", self.reminder_id, self.due_ms)

    @classmethod
    def from_fields(cls, fields: Fields) -> ReminderDue:
        """From its queued fields."""
        return build_reminder_due(fields)


def build_reminder_due(fields: Fields) -> ReminderDue:
    """The registry's builder (bot/events/registry.py)."""
    return ReminderDue(
        **common(fields), reminder_id=integer(fields, "ReminderId"), due_ms=integer(fields, "DueMs")
    )


def reminder_due_xml(
    corp_id: str, assignee: str, reminder_id: int, due_ms: int, now: datetime
) -> str:
    """The queued form of a ReminderDue."""
    return message_xml(
        {
            "ToUserName": corp_id,
            "FromUserName": assignee,
            "CreateTime": unix(now),
            "MsgType": "event",
            "Event": EVENT,
            "ReminderId": reminder_id,
            "DueMs": due_ms,
        }
    )
