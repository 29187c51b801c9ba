"""What group tasks need of other concerns, as Protocols with their component keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Protocol

from bot.deps import ComponentKey, Deps


class GroupLabels(Protocol):
    """siyu's own labels on customer groups (kept by the groups concern)."""

    async def labelled(self, labels: Iterable[str]) -> set[str]:
        """Chat ids carrying any of ``labels``."""
        ...


GROUP_LABELS: Final = ComponentKey[GroupLabels]("tasks_group_labels")


class MediaResolver(Protocol):
    """Turns media-library references in attachments into what WeCom takes now."""

    async def resolve(
        self, deps: Deps, attachments: Sequence[Mapping[str, Any]], where: str
    ) -> tuple[dict[str, Any], ...]:
        """The attachments with current media_ids / pic_urls; a stale one is left out."""
        ...


MEDIA: Final = ComponentKey[MediaResolver]("tasks_media")


def names_library(attachments: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any attachment names a library item (only those need the resolver)."""
    return any(
        isinstance(part := a.get(str(a.get("msgtype"))), Mapping) and "library" in part
        for a in attachments
    )
