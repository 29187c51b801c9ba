"""What groups offers other concerns (names, sensitive-word alerts), provided through the
wiring: a concern that needs it declares a Protocol and never imports this package."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.deps import Deps
from handlers.groups import alerts
from handlers.groups.context import Groups
from handlers.groups.store import GroupRegistry


class RegistryNames:
    """Groups' names from the registry."""

    def __init__(self, registry: GroupRegistry) -> None:
        self._registry = registry

    async def name_of(self, chat_id: str) -> str | None:
        """The group's name, if the registry knows one."""
        group = await self._registry.get(chat_id)
        return group.name if group is not None and group.name else None


class OwnerAlerts:
    """Sensitive words said in a group, told to its owner and admins."""

    async def sensitive_word(
        self, deps: Deps, chat_id: str, sender: str, words: Sequence[str], at: datetime
    ) -> bool:
        """True if they were told."""
        return await alerts.sensitive_word(Groups.of(deps), chat_id, sender, words, at)
