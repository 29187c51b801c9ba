"""What group tasks need of other concerns, as Protocols with their component keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Protocol

from bot.deps import ComponentKey


class GroupLabels(Protocol):
    """siyu's own labels on customer groups (kept by the groups concern)."""

    async def labelled(self, labels: Iterable[str]) -> set[str]:
        """Chat ids carrying any of ``labels``."""
        ...


GROUP_LABELS: Final = ComponentKey[GroupLabels]("tasks_group_labels")
