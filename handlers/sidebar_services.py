"""Wiring: the other concerns' services the sidebar asks for (handlers/sidebar/needs.py).

Part of the wiring (like handlers/__init__.py, which provides these): it may import every
concern, and no concern imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from bot.deps import Components, Deps
from bot.store.rules_live import LiveRules
from handlers.groups.components import GROUP_COUNTERS, GROUP_REGISTRY
from handlers.groups.store import GroupChat, GroupCounters, GroupRegistry, Member
from handlers.intake.directory import LiveDirectory
from handlers.media.components import MEDIA_LIBRARY
from handlers.media.library import MediaItem
from handlers.media.resolver import LibraryResolver, upload_copy
from handlers.moderation.analyzer import analyzer_of
from handlers.moderation.cards import task_id_for
from handlers.moderation.components import ALERT_RECORDS
from handlers.moderation.violations import AlertRecords
from handlers.reminders.records import ACTIVE, Reminder, State, sources_of, to_ms
from handlers.reminders.service import ReminderService
from handlers.replies.models import Attachment, QuickReplies, QuickReply
from handlers.replies.rules import QUICK_REPLIES
from handlers.sidebar.needs import (
    CUSTOMER_TASKS,
    DIRECTORY,
    GROUP_BOOK,
    MESSAGE_FLAGS,
    QUICK_REPLY_BOOK,
    REMINDER_DESK,
)
from handlers.tasks.components import TASK_STORE
from handlers.tasks.records import STATUS_NAMES
from handlers.tasks.store import TaskStore

logger = logging.getLogger(__name__)

RECENT_TASKS = 50  # tasks looked through for a customer (open ones, then the newest)
DONE_ON_CARD: Final = 5  # done reminders the card shows under the open ones
DONE_EARLY: Final = "done early from the sidebar"


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

    async def about(self, userid: str, external_userid: str) -> Sequence[ReminderShown]:
        """Open ones soonest first, then the latest done ones (done early counts as done)."""
        pair = await self._service.repo.of_pair(userid, external_userid)
        found = [r for r in pair if not r.is_series]
        active = sorted((r for r in found if r.state in ACTIVE), key=lambda r: r.due_ms)
        done = sorted(
            (r for r in found if r.state == State.DONE or r.note == DONE_EARLY),
            key=lambda r: r.acted_ms,
            reverse=True,
        )[:DONE_ON_CARD]
        return [
            ReminderShown(r.id, r.text, r.due, "done" if r in done else r.state.value)
            for r in [*active, *done]
        ]

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
        return await repo.transition(reminder, State.CANCELLED, acted_ms=now, note=DONE_EARLY)


@dataclass(frozen=True, slots=True)
class ReminderShown:
    """A reminder as the card shows it (``state`` done for one done early)."""

    id: int
    text: str
    due: datetime
    state: str


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


class ModerationFlags:
    """Moderation's alert records as the sidebar's MessageFlags: one alert per message."""

    def __init__(self, records: AlertRecords) -> None:
        self._records = records

    async def flagged(self, message_key: str) -> tuple[str, str] | None:
        """(the categories' labels, the excerpt) of the message's alert, if it has one."""
        record = await self._records.get(task_id_for(message_key))
        if record is None:
            return None
        title = record.card.get("main_title", {})
        label = str(title.get("title", "")).partition("：")[2]  # 敏感内容：引流、广告法
        categories = "、".join(str(c) for c in record.about.get("categories", []))
        return label or categories, str(title.get("desc", ""))

    async def intent(self, deps: Deps, text: str) -> str | None:
        """The analyzer's intent of ``text`` (None when moderation is off in this process)."""
        analyzer = await analyzer_of(deps)
        return None if analyzer is None else analyzer.analyze(text).intent


class RepliesForSidebar:
    """The replies concern's live 话术库 as the sidebar's QuickReplyBook; image and file
    attachments that name a media library item are made fresh through the library."""

    def __init__(self, replies: LiveRules[QuickReplies], resolver: LibraryResolver) -> None:
        self._replies = replies
        self._resolver = resolver

    async def groups(self) -> Sequence[tuple[str, Sequence[QuickReply]]]:
        """(group name, its replies)."""
        book = await self._replies.current()
        return [(group.name, group.replies) for group in book.groups]

    async def messages(self, deps: Deps, reply_id: str) -> list[dict[str, Any]] | None:
        """sendChatMessage arguments of the reply (doc 93863), or None."""
        book = await self._replies.current()
        found = next((r for g in book.groups for r in g.replies if r.id == reply_id), None)
        if found is None:
            return None
        sent: list[dict[str, Any]] = []
        if found.text:
            sent.append({"msgtype": "text", "text": {"content": found.text}})
        for attachment in found.attachments:
            message = await self._chat_message(deps, attachment)
            if message is not None:
                sent.append(message)
        return sent

    async def _chat_message(self, deps: Deps, attachment: Attachment) -> dict[str, Any] | None:
        if attachment.kind == "link":
            news = {"link": attachment.url, "title": attachment.title, "desc": "", "imgUrl": ""}
            return {"msgtype": "news", "news": news}
        if not attachment.media_id:  # a pic_url image: sendChatMessage takes only a mediaid
            return None
        kind = attachment.kind
        library = deps.get(MEDIA_LIBRARY)
        item = await library.get(attachment.media_id)
        if item is None:
            return {"msgtype": kind, kind: {"mediaid": attachment.media_id}}  # WeCom's own id
        media_id = await self._media_id(deps, item) if kind == item.kind else None
        return {"msgtype": kind, kind: {"mediaid": media_id}} if media_id else None

    async def _media_id(self, deps: Deps, item: MediaItem) -> str | None:
        """A media_id of the sidebar's app for the item: its temporary one made fresh, or
        (a permanent image, whose pic_url sendChatMessage cannot take) a new upload."""
        if item.temporary:
            reference = {"msgtype": item.kind, item.kind: {"library": item.id}}
            made = await self._resolver.resolve(deps, [reference], "sidebar")
            return str(made[0][item.kind].get("media_id", "")) if made else None
        media_id = await upload_copy(deps, item, deps.settings.sidebar.app)
        if media_id is not None:
            now = int(deps.clock.now().timestamp())
            await deps.get(MEDIA_LIBRARY).used(item.id, "sidebar", now)
        return media_id


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
    components.provide(DIRECTORY, LiveDirectory())
    components.provide(MESSAGE_FLAGS, ModerationFlags(components.get(ALERT_RECORDS)))
    components.provide(
        QUICK_REPLY_BOOK, RepliesForSidebar(components.get(QUICK_REPLIES), LibraryResolver())
    )
    components.provide(
        GROUP_BOOK, GroupsForSidebar(components.get(GROUP_REGISTRY), components.get(GROUP_COUNTERS))
    )
