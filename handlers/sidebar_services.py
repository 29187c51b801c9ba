"""Wiring: the other concerns' services the sidebar asks for (handlers/sidebar/needs.py).

Part of the wiring (like handlers/__init__.py, which provides these): it may import every
concern, and no concern imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.deps import Components
from handlers.groups.components import GROUP_COUNTERS, GROUP_REGISTRY
from handlers.groups.store import GroupChat, GroupCounters, GroupRegistry, Member
from handlers.reminders.records import ACTIVE, Reminder, State, sources_of, to_ms
from handlers.reminders.service import ReminderService
from handlers.sidebar.needs import (
    CUSTOMER_FLAGS,
    CUSTOMER_TASKS,
    GROUP_BOOK,
    REMINDER_DESK,
    Flag,
)
from handlers.tasks.components import TASK_STORE
from handlers.tasks.records import STATUS_NAMES
from handlers.tasks.store import TaskStore

RECENT_TASKS = 50  # tasks looked through for a customer (open ones, then the newest)


class SidebarReminders:
    """The reminders concern as the sidebar's ReminderDesk."""

    def __init__(self, service: ReminderService) -> None:
        self._service = service

    async def open_about(self, userid: str, external_userid: str) -> Sequence[Reminder]:
        """Active one-off reminders about the customer, soonest first."""
        found = await self._service.repo.of_pair(userid, external_userid)
        return sorted(
            (r for r in found if r.state in ACTIVE and not r.is_series), key=lambda r: r.due_ms
        )

    async def add(
        self,
        userid: str,
        external_userid: str,
        customer_name: str,
        task: str,
        *,
        due: datetime,
        once: str,
    ) -> Reminder:
        """A one-off reminder from the sidebar."""
        return await self._service.remind(
            userid,
            task,
            due,
            customer_id=external_userid,
            customer_name=customer_name,
            source="sidebar",
            once=once,
        )

    async def done(self, userid: str, reminder_id: int) -> bool:
        """Done. A reminder not yet due cannot be done by the state machine (pending → done
        is not a transition): it is cancelled with a note saying it was done early."""
        repo = self._service.repo
        reminder = await repo.get(reminder_id)
        if reminder is None or reminder.assignee != userid or reminder.state not in ACTIVE:
            return False
        now = str(to_ms(self._service.clock.now()))
        if reminder.state in sources_of(State.DONE):
            return await repo.transition(reminder, State.DONE, acted_ms=now)
        return await repo.transition(
            reminder, State.CANCELLED, acted_ms=now, note="done early from the sidebar"
        )


@dataclass(frozen=True, slots=True)
class TaskOfCustomer:
    """A group task including one target, and that target's send status."""

    task_id: int
    title: str
    state: str
    sent: str


class TasksByTarget:
    """Group tasks that include a customer or group: open tasks and the newest ones."""

    def __init__(self, store: TaskStore) -> None:
        self._store = store

    async def including(self, target: str) -> Sequence[TaskOfCustomer]:
        """Tasks whose calls list ``target``, newest first."""
        ids = sorted(
            set(await self._store.open_ids()) | set(await self._store.ids(RECENT_TASKS)),
            reverse=True,
        )
        found: list[TaskOfCustomer] = []
        for task_id in ids:
            record = await self._store.get(task_id)
            if record is None or not await self._targets(task_id, target):
                continue
            status = (await self._store.results(task_id, [target])).get(target)
            found.append(
                TaskOfCustomer(
                    task_id,
                    record.spec.title,
                    record.state.value,
                    STATUS_NAMES.get(status, "") if status is not None else "",
                )
            )
        return found

    async def _targets(self, task_id: int, target: str) -> bool:
        for call in await self._store.calls(task_id):
            if target in await self._store.targets(task_id, call.index):
                return True
        return False


class NoFlagsYet:
    """Moderation keeps no per-customer list of flagged messages and intents with their
    times yet (only counts per category): until it does, the card shows none."""

    async def recent(self, external_userid: str, limit: int) -> Sequence[Flag]:
        """Nothing yet."""
        return ()


class GroupsForSidebar:
    """The groups concern's registry and counters as the sidebar's GroupBook."""

    def __init__(self, registry: GroupRegistry, counters: GroupCounters) -> None:
        self._registry = registry
        self._counters = counters

    async def group(self, chat_id: str) -> GroupChat | None:
        """The group, if siyu knows it."""
        return await self._registry.get(chat_id)

    async def members(self, chat_id: str) -> Sequence[Member]:
        """Its members."""
        return await self._registry.members(chat_id)

    async def day(self, chat_id: str, day: str) -> dict[str, int]:
        """Joins and quits of a local day."""
        return await self._counters.day(day, chat_id)


def provide(components: Components, reminders: ReminderService) -> None:
    """Provide what the sidebar needs (after the other concerns' components)."""
    components.provide(REMINDER_DESK, SidebarReminders(reminders))
    components.provide(CUSTOMER_TASKS, TasksByTarget(components.get(TASK_STORE)))
    components.provide(CUSTOMER_FLAGS, NoFlagsYet())
    components.provide(
        GROUP_BOOK, GroupsForSidebar(components.get(GROUP_REGISTRY), components.get(GROUP_COUNTERS))
    )
