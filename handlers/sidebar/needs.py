"""What the sidebar needs of other concerns, as Protocols with their component keys.

The wiring (handlers/sidebar_services.py) provides reminders, group tasks, customer groups,
moderation's flags and the 话术库 under these keys, so the sidebar imports none of those
concerns. The views are read-only: any record with these attributes will do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, Protocol

from bot.deps import ComponentKey, Deps


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

    async def about(self, userid: str, external_userid: str) -> Sequence[ReminderView]:
        """Their open reminders about the customer (soonest first), then the done ones
        (latest first); ``state`` is ``done`` for one marked done before it fell due."""
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


class MessageFlags(Protocol):
    """What moderation recorded about one message."""

    async def flagged(self, message_key: str) -> tuple[str, str] | None:
        """(label, excerpt) if moderation flagged the message (``source:msgid``), else None."""
        ...

    async def intent(self, deps: Deps, text: str) -> str | None:
        """The intent moderation reads in a customer's text (price, complaint...), if any."""
        ...


class ReplyView(Protocol):
    """A quick reply of the 话术库."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def keywords(self) -> tuple[str, ...]: ...


class QuickReplyBook(Protocol):
    """The 话术库 and what a reply puts into a chat."""

    async def groups(self) -> Sequence[tuple[str, Sequence[ReplyView]]]:
        """(group name, its replies), in the operators' order."""
        ...

    async def messages(self, deps: Deps, reply_id: str) -> list[dict[str, Any]] | None:
        """The reply as sendChatMessage arguments (text first, then each attachment that
        can be sent now, media made fresh); None if there is no such reply."""
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


class Directory(Protocol):
    """Names the operators gave: staff and channels."""

    def staff_name(self, userid: str) -> str:
        """The member's display name (their userid if there is none)."""
        ...

    def channel_name(self, state: str) -> str | None:
        """The name of the channel whose live code carries ``state``."""
        ...


class DirectoryBook(Protocol):
    """The directory as the operators' rules say now."""

    async def current(self, deps: Deps) -> Directory:
        """The directory now."""
        ...


REMINDER_DESK: Final = ComponentKey[ReminderDesk]("sidebar_reminders")
CUSTOMER_TASKS: Final = ComponentKey[CustomerTasks]("sidebar_tasks")
MESSAGE_FLAGS: Final = ComponentKey[MessageFlags]("sidebar_message_flags")
QUICK_REPLY_BOOK: Final = ComponentKey[QuickReplyBook]("sidebar_quick_replies")
DIRECTORY: Final = ComponentKey[DirectoryBook]("sidebar_directory")
GROUP_BOOK: Final = ComponentKey[GroupBook]("sidebar_groups")
