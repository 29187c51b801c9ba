"""What moderation needs of other concerns, as Protocols with their component keys.

The wiring (handlers/__init__.py) provides intake's staff directory and groups' registry and
alerts under these keys, so moderation imports neither concern.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, Protocol

from bot.deps import ComponentKey, Deps


class StaffDirectory(Protocol):
    """Staff names, their managers, and the channel each live-code state belongs to."""

    def staff_name(self, userid: str) -> str:
        """The member's display name (their userid if unknown)."""
        ...

    def manager_of(self, userid: str) -> str | None:
        """The member's manager, if the directory names one."""
        ...

    def channel_name(self, state: str) -> str | None:
        """The name of the channel whose live code carries ``state``."""
        ...


class DirectorySource(Protocol):
    """The staff directory as it is now (operators may change it at any time)."""

    async def current(self, deps: Deps) -> StaffDirectory:
        """The directory now."""
        ...


class GroupNames(Protocol):
    """Customer groups' names."""

    async def name_of(self, chat_id: str) -> str | None:
        """The group's name, if known."""
        ...


class GroupAlerts(Protocol):
    """Tell a group's owner and admins that a sensitive word was said in it."""

    async def sensitive_word(
        self, deps: Deps, chat_id: str, sender: str, words: Sequence[str], at: datetime
    ) -> bool:
        """True if they were told."""
        ...


DIRECTORY: Final = ComponentKey[DirectorySource]("moderation_directory")
GROUP_NAMES: Final = ComponentKey[GroupNames]("moderation_group_names")
GROUP_ALERTS: Final = ComponentKey[GroupAlerts]("moderation_group_alerts")
