"""A reminder, its states and the transitions between them.

pending → sent → done | snoozed → sent … ; pending/sent/snoozed → cancelled; sent → expired
(the card was not acted on while its response code lived). A recurring reminder is a
*series*: it stays pending, and each occurrence is a one-off reminder of its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Final

from nlp.timeparse import Recurrence


class State(StrEnum):
    """Where a reminder is in its life."""

    PENDING = "pending"
    SENT = "sent"
    SNOOZED = "snoozed"
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ACTIVE: Final = frozenset({State.PENDING, State.SENT, State.SNOOZED})
WAITING: Final = frozenset({State.PENDING, State.SNOOZED})  # in the due index
TRANSITIONS: Final[dict[State, frozenset[State]]] = {
    State.PENDING: frozenset({State.PENDING, State.SENT, State.CANCELLED}),
    State.SENT: frozenset({State.DONE, State.SNOOZED, State.EXPIRED, State.CANCELLED}),
    State.SNOOZED: frozenset({State.SNOOZED, State.SENT, State.CANCELLED}),
    State.DONE: frozenset(),
    State.CANCELLED: frozenset(),
    State.EXPIRED: frozenset(),
}


def sources_of(target: State) -> frozenset[State]:
    """The states from which ``target`` may be reached."""
    return frozenset(state for state, targets in TRANSITIONS.items() if target in targets)


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch."""
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """An aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def recurrence_to_json(recurrence: Recurrence | None) -> str:
    """As stored ("" for a one-off)."""
    if recurrence is None:
        return ""
    return json.dumps(
        {
            "kind": recurrence.kind,
            "at": recurrence.at.strftime("%H:%M"),
            "weekday": recurrence.weekday,
            "day": recurrence.day,
            "weekdays": list(recurrence.weekdays),
        }
    )


def recurrence_from_json(text: str) -> Recurrence | None:
    """The stored recurrence."""
    if not text:
        return None
    raw = json.loads(text)
    weekdays = tuple(int(day) for day in raw.get("weekdays") or ())  # absent before 每周一三五
    return Recurrence(
        raw["kind"], time.fromisoformat(raw["at"]), raw["weekday"], raw["day"], weekdays
    )


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder of one staff member (``assignee``), maybe about one customer."""

    id: int
    assignee: str
    text: str
    due_ms: int
    state: State = State.PENDING
    customer_id: str = ""  # external_userid
    customer_name: str = ""
    recurrence: Recurrence | None = None
    source: str = "chat"  # chat | sop:<sequence>:<step> | rule:<name> | series:<id>
    content: str = ""  # what to send the customer (SOP steps)
    created_ms: int = 0
    sent_ms: int = 0
    acted_ms: int = 0  # done, snoozed, cancelled or expired
    late: bool = False
    snoozes: int = 0
    card: str = ""  # task id of the prompt card carrying it
    note: str = ""  # why it was cancelled or rescheduled
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def due(self) -> datetime:
        """When it falls due (UTC)."""
        return from_ms(self.due_ms)

    @property
    def is_series(self) -> bool:
        """A recurring definition whose occurrences are reminders of their own."""
        return self.recurrence is not None

    def to_hash(self) -> dict[str, str]:
        """As stored in the reminder's Redis hash."""
        return {
            "id": str(self.id),
            "assignee": self.assignee,
            "text": self.text,
            "due_ms": str(self.due_ms),
            "state": self.state.value,
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "recurrence": recurrence_to_json(self.recurrence),
            "source": self.source,
            "content": self.content,
            "created_ms": str(self.created_ms),
            "sent_ms": str(self.sent_ms),
            "acted_ms": str(self.acted_ms),
            "late": "1" if self.late else "0",
            "snoozes": str(self.snoozes),
            "card": self.card,
            "note": self.note,
            "extra": json.dumps(self.extra, ensure_ascii=False),
        }

    @classmethod
    def from_hash(cls, fields: Mapping[str, str]) -> Reminder:
        """From its Redis hash."""

        def number(name: str) -> int:
            return int(fields.get(name) or 0)

        return cls(
            id=number("id"),
            assignee=fields.get("assignee", ""),
            text=fields.get("text", ""),
            due_ms=number("due_ms"),
            state=State(fields.get("state", "pending")),
            customer_id=fields.get("customer_id", ""),
            customer_name=fields.get("customer_name", ""),
            recurrence=recurrence_from_json(fields.get("recurrence", "")),
            source=fields.get("source", "chat"),
            content=fields.get("content", ""),
            created_ms=number("created_ms"),
            sent_ms=number("sent_ms"),
            acted_ms=number("acted_ms"),
            late=fields.get("late") == "1",
            snoozes=number("snoozes"),
            card=fields.get("card", ""),
            note=fields.get("note", ""),
            extra=json.loads(fields.get("extra") or "{}"),
        )

    def with_id(self, reminder_id: int) -> Reminder:
        """A copy numbered ``reminder_id``."""
        return replace(self, id=reminder_id)
