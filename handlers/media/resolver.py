"""Library references in attachments, made into what WeCom takes at the moment of sending.

An attachment names an item as ``{"msgtype": "file", "file": {"library": "<id>"}}`` (image,
video, file; ``miniprogram`` takes it instead of ``pic_media_id``). At send time it becomes
``{"pic_url": ...}`` (a permanent image) or ``{"media_id": ...}`` (the item's current
temporary media). A media_id with less than SEND_MARGIN left is re-uploaded first; one that
cannot be made fresh is never sent: the attachment is left out and the reason logged.

Intake (welcomes) and group tasks declare the Protocol this implements (their needs.py);
the wiring provides ``LibraryResolver`` under their keys. 微信客服 (``kf/send_msg``) takes an
image by media_id only: its resolver (``media_ids_only``) uploads a permanent image's bytes as
temporary media of the sending app instead of giving its pic_url.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Final

from bot.deps import Deps
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.media.components import MEDIA_LIBRARY
from handlers.media.library import MediaItem
from handlers.media.service import renew

logger = logging.getLogger(__name__)

SEND_MARGIN: Final = timedelta(hours=1)
LIBRARY: Final = "library"
_MEDIA_FIELD: Final = {
    "image": "media_id",
    "video": "media_id",
    "file": "media_id",
    "miniprogram": "pic_media_id",
}


def reference_of(attachment: Mapping[str, Any]) -> str | None:
    """The library item an attachment names, if it names one."""
    part = attachment.get(str(attachment.get("msgtype")))
    item_id = part.get(LIBRARY) if isinstance(part, Mapping) else None
    return item_id if isinstance(item_id, str) else None


class LibraryResolver:
    """Resolves library references (intake's, tasks' and 微信客服's ``MediaResolver``).

    ``media_ids_only``: the app (settings' app name) whose temporary upload stands in for a
    permanent image's pic_url, for APIs that take images by media_id only.
    """

    def __init__(self, media_ids_only: str | None = None) -> None:
        self._uploading_app = media_ids_only

    async def resolve(
        self, deps: Deps, attachments: Sequence[Mapping[str, Any]], where: str
    ) -> tuple[dict[str, Any], ...]:
        """The attachments as WeCom takes them now; unresolvable references left out."""
        resolved = []
        for attachment in attachments:
            item_id = reference_of(attachment)
            if item_id is None:
                resolved.append(dict(attachment))
                continue
            made = await self._one(deps, attachment, item_id)
            if made is not None:
                resolved.append(made)
                await deps.get(MEDIA_LIBRARY).used(item_id, where, _unix(deps))
        return tuple(resolved)

    async def _one(
        self, deps: Deps, attachment: Mapping[str, Any], item_id: str
    ) -> dict[str, Any] | None:
        msgtype = str(attachment["msgtype"])
        part = {k: v for k, v in attachment[msgtype].items() if k != LIBRARY}
        item = await deps.get(MEDIA_LIBRARY).get(item_id)
        if item is None:
            logger.warning(
                "attachment %s: library item %s does not exist: left out", msgtype, item_id
            )
            return None
        if msgtype == "image" and item.pic_url:
            if self._uploading_app is None:
                return {"msgtype": msgtype, msgtype: {**part, "pic_url": item.pic_url}}
            media_id = await upload_copy(deps, item, self._uploading_app)
            return (
                {"msgtype": msgtype, msgtype: {**part, "media_id": media_id}} if media_id else None
            )
        field = _MEDIA_FIELD.get(msgtype)
        if field is None or not item.temporary:
            logger.warning(
                "attachment %s: library item %s (%s) cannot be one: left out",
                msgtype,
                item_id,
                item.kind,
            )
            return None
        fresh = await self._fresh(deps, item)
        if fresh is None:
            return None
        return {"msgtype": msgtype, msgtype: {**part, field: fresh.media_id}}

    async def _fresh(self, deps: Deps, item: MediaItem) -> MediaItem | None:
        """The item with a media_id good for SEND_MARGIN more, re-uploading it if need be."""
        fresh_until = _unix(deps) + int(SEND_MARGIN.total_seconds())
        if item.media_expires_at > fresh_until:
            return item
        try:
            renewed = await renew(deps, item.id, unless_fresh_until=fresh_until)
        except (WeComAPIError, WeComUnavailable) as exc:
            logger.warning(
                "library item %s: its media_id is stale and re-uploading failed (%s): left out",
                item.id,
                exc,
            )
            return None
        if renewed is None or renewed.media_expires_at <= fresh_until:
            logger.warning("library item %s: no fresh media_id: left out", item.id)
            return None
        return renewed


def _unix(deps: Deps) -> int:
    return int(deps.clock.now().timestamp())


async def upload_copy(deps: Deps, item: MediaItem, app: str) -> str | None:
    """A temporary media_id of ``app`` for a library item's bytes (a permanent image, for APIs
    that take no pic_url); None if it cannot be made (logged)."""
    content = await deps.get(MEDIA_LIBRARY).content(item.id)
    if content is None:
        logger.warning("library item %s has no content to upload: left out", item.id)
        return None
    try:
        uploaded = await deps.api(app).media.upload(item.kind, item.name, content)
    except (WeComAPIError, WeComUnavailable) as exc:
        logger.warning("library item %s not uploaded (%s): left out", item.id, exc)
        return None
    return uploaded.media_id
