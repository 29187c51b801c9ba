"""Reminders as operators look at them: each one's status (pending, due, overdue, done,
missed, cancelled) and pages of them, newest first, filtered by staff member and status.

Pages walk the reminder ids down from the newest (the id counter, no SCAN); a page stops
after ``SCAN_WINDOW`` ids even if it is not full, and its cursor says where to go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.store import keys
from handlers.reminders.records import Reminder, State
from handlers.reminders.repository import ReminderRepository

OVERDUE_AFTER_MS: Final = 3_600_000  # an hour past due with nobody acting on it: overdue
SCAN_WINDOW: Final = 2_000  # ids one page reads at most (~100 ms of HGETALLs)
_BATCH: Final = 200


class Status(StrEnum):
    """What became of a reminder, as the console and the API show it."""

    PENDING = "pending"  # waiting for its time
    DUE = "due"  # its time came (the prompt is out or going out)
    OVERDUE = "overdue"  # more than an hour past due and not acted on
    DONE = "done"
    MISSED = "missed"  # the prompt card's time to act ran out (expired)
    CANCELLED = "cancelled"


_ENDED: Final = {State.DONE: Status.DONE, State.EXPIRED: Status.MISSED}


def status_of(reminder: Reminder, now_ms: int) -> Status:
    """The reminder's status at ``now_ms``."""
    if reminder.state in _ENDED:
        return _ENDED[reminder.state]
    if reminder.state is State.CANCELLED:
        return Status.CANCELLED
    if reminder.due_ms > now_ms:
        return Status.PENDING
    return Status.OVERDUE if now_ms - reminder.due_ms > OVERDUE_AFTER_MS else Status.DUE


@dataclass(frozen=True, slots=True)
class Page:
    """Reminders, newest first, and the cursor of the next page (None: no more)."""

    items: list[tuple[Reminder, Status]]
    next_cursor: int | None


async def page(
    repo: ReminderRepository,
    now_ms: int,
    *,
    limit: int,
    before: int | None = None,
    assignee: str | None = None,
    status: Status | None = None,
) -> Page:
    """Up to ``limit`` reminders with ids below ``before``, of ``assignee``, in ``status``."""
    newest = int(await repo.redis.get(keys.reminder_ids(repo.corp_id)) or 0)
    cursor = newest if before is None else min(before - 1, newest)
    floor = max(cursor - SCAN_WINDOW, 0)
    found: list[tuple[Reminder, Status]] = []
    while cursor > floor:
        batch = range(cursor, max(cursor - _BATCH, floor), -1)
        for reminder in await repo.get_many(batch):
            shown = status_of(reminder, now_ms)
            if (assignee is None or reminder.assignee == assignee) and status in (None, shown):
                found.append((reminder, shown))
                if len(found) == limit:
                    more = reminder.id > 1
                    return Page(found, reminder.id if more else None)
        cursor = batch[-1] - 1
    return Page(found, cursor + 1 if cursor > 0 else None)
