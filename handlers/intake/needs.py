"""What intake needs of other concerns, as Protocols with their component keys.

The wiring (handlers/__init__.py) provides the media library's resolver under MEDIA, so a
welcome can carry library items (``{"library": "<id>"}``) without intake importing it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

from bot.deps import ComponentKey, Deps


class MediaResolver(Protocol):
    """Turns library references in attachments into what WeCom takes now."""

    async def resolve(
        self, deps: Deps, attachments: Sequence[Mapping[str, Any]], where: str
    ) -> tuple[dict[str, Any], ...]:
        """The attachments with current media_ids / pic_urls; a stale one is left out."""
        ...


MEDIA: Final = ComponentKey[MediaResolver]("intake_media")


def names_library(attachments: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any attachment names a library item (only those need the resolver)."""
    return any(
        isinstance(part := a.get(str(a.get("msgtype"))), Mapping) and "library" in part
        for a in attachments
    )
