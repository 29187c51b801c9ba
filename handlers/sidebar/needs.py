"""What the sidebar needs of other concerns, as Protocols with their component keys.

The wiring (handlers/__init__.py) provides reminders, group tasks, customer groups and
moderation's flags under these keys, so the sidebar imports none of those concerns. The
views are read-only: any record with these attributes will do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, Protocol

from bot.deps import ComponentKey


class ReminderView(Protocol):
    """A reminder as the card shows it."""

    @property
    def id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def due(self) -> datetime: ...
    @property
    def state(self) -> str: ...


class ReminderDesk(Protocol):
    """A staff member's reminders about one customer."""

    async def open_about(self, userid: str, external_userid: str) -> Sequence[ReminderView]:
        """Their pending, sent and snoozed reminders about the customer, soonest first."""
        ...

    async def add(
        self,
        userid: str,
        external_userid: str,
        customer_name: str,
        task: str,
        *,
        due: datetime,
        once: str,
    ) -> ReminderView:
        """A new one-off reminder (``once``: an idempotency key)."""
        ...

    async def done(self, userid: str, reminder_id: int) -> bool:
        """Mark one of the staff member's own active reminders done; False if it was not."""
        ...


class TaskView(Protocol):
    """A group task that includes the customer, and where it stands for them."""

    @property
    def task_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def sent(self) -> str: ...  # unsent | sent | not_friend | capped | "" (unknown yet)


class CustomerTasks(Protocol):
    """Group tasks by the customers (or groups) they target."""

    async def including(self, target: str) -> Sequence[TaskView]:
        """The open and recent tasks whose targets include ``target``."""
        ...


class Flag(Protocol):
    """A flagged message (sensitive words) or a detected intent of a customer."""

    @property
    def kind(self) -> str: ...  # sensitive | intent
    @property
    def label(self) -> str: ...  # the category or the intent
    @property
    def excerpt(self) -> str: ...
    @property
    def at(self) -> datetime: ...


class CustomerFlags(Protocol):
    """What moderation noticed in a customer's messages."""

    async def recent(self, external_userid: str, limit: int) -> Sequence[Flag]:
        """The latest flags, newest first."""
        ...


class GroupView(Protocol):
    """A customer group as the group card shows it."""

    @property
    def chat_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def admins(self) -> tuple[str, ...]: ...
    @property
    def member_count(self) -> int: ...


class MemberView(Protocol):
    """A member of a customer group."""

    @property
    def userid(self) -> str: ...
    @property
    def type(self) -> int: ...  # 1 staff, 2 external
    @property
    def join_time(self) -> int: ...
    @property
    def name(self) -> str: ...


class GroupBook(Protocol):
    """Customer groups, their members and a day's joins and quits."""

    async def group(self, chat_id: str) -> GroupView | None:
        """The group, if siyu knows it."""
        ...

    async def members(self, chat_id: str) -> Sequence[MemberView]:
        """Its members."""
        ...

    async def day(self, chat_id: str, day: str) -> dict[str, int]:
        """Joins and quits of a local day (YYYYMMDD): {"join": n, "quit": n, "join:<scene>"...}."""
        ...


REMINDER_DESK: Final = ComponentKey[ReminderDesk]("sidebar_reminders")
CUSTOMER_TASKS: Final = ComponentKey[CustomerTasks]("sidebar_tasks")
CUSTOMER_FLAGS: Final = ComponentKey[CustomerFlags]("sidebar_flags")
GROUP_BOOK: Final = ComponentKey[GroupBook]("sidebar_groups")
