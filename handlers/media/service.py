"""Uploading to the library, and keeping temporary media fresh.

Images up to 2 MB go through media/uploadimg: a permanent pic_url, nothing to renew. Files,
videos, voice and larger images go through media/upload: a media_id valid 3 days (doc 90253),
re-uploaded from the stored bytes once 2 days have passed (a day to spare for a tick that is
late or a WeCom that is down), by whichever worker runs the minute tick (router.py), under a
per-item lock so two workers do not both upload it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import timedelta
from typing import Final

from bot.deps import Deps
from bot.store import keys
from bot.store.locks import Lock
from bot.wecom.errors import RateLimited, WeComAPIError, WeComUnavailable
from bot.wecom.media import (
    TEMPORARY_LIFETIME,
    UPLOAD_IMAGE_MAX_BYTES,
    check,
    content_type_of,
    suffix_of,
)
from handlers.media.components import MEDIA_LIBRARY
from handlers.media.library import MediaItem, new_item_id

logger = logging.getLogger(__name__)

RENEW_AFTER: Final = timedelta(days=2)  # of a media_id's 3 days
LOCK_SECONDS: Final = 60.0
_KIND_BY_SUFFIX: Final = {
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "mp4": "video",
    "amr": "voice",
}


def kind_for(filename: str) -> str:
    """The media type of a file by its suffix: image, video, voice, else file."""
    return _KIND_BY_SUFFIX.get(suffix_of(filename), "file")


def _unix(deps: Deps) -> int:
    return int(deps.clock.now().timestamp())


def _times(created_at: int) -> tuple[int, int]:
    """When a media_id made at ``created_at`` expires, and when to renew it."""
    return (
        created_at + int(TEMPORARY_LIFETIME.total_seconds()),
        created_at + int(RENEW_AFTER.total_seconds()),
    )


async def upload(
    deps: Deps, name: str, content: bytes, *, kind: str | None = None, actor: str = ""
) -> MediaItem:
    """Add a file to the library (MediaRefused if WeCom would refuse it, before any call)."""
    kind = kind or kind_for(name)
    check(kind, name, len(content))
    media = deps.api().media
    now = _unix(deps)
    item = MediaItem(
        id=new_item_id(),
        name=name,
        kind=kind,
        content_type=content_type_of(name),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=now,
        created_by=actor,
    )
    refresh_at: int | None = None
    if kind == "image" and len(content) <= UPLOAD_IMAGE_MAX_BYTES:
        item = replace(item, pic_url=await media.upload_image(name, content))
    else:
        uploaded = await media.upload(kind, name, content)
        created = uploaded.created_at or now
        expires_at, refresh_at = _times(created)
        item = replace(
            item, media_id=uploaded.media_id, media_created_at=created, media_expires_at=expires_at
        )
    await deps.get(MEDIA_LIBRARY).add(item, content, refresh_at)
    logger.info("media %s (%s, %d bytes) added to the library", item.id, kind, item.size)
    return item


async def renew(deps: Deps, item_id: str, *, unless_fresh_until: int) -> MediaItem | None:
    """Re-upload an item's temporary media unless its media_id lasts past ``unless_fresh_until``.

    The item as it is afterwards (None if it was deleted, or another process holds the
    upload for longer than the lock's wait).
    """
    library = deps.get(MEDIA_LIBRARY)
    lock = Lock(deps.redis, keys.media_upload_lock(deps.corp_id, item_id), LOCK_SECONDS)
    async with lock.held(wait_seconds=LOCK_SECONDS / 2) as held:
        item = await library.get(item_id)
        if not held or item is None or not item.temporary:
            return item
        if item.media_expires_at > unless_fresh_until:  # renewed meanwhile
            return item
        content = await library.content(item_id)
        if content is None:
            return None
        uploaded = await deps.api().media.upload(item.kind, item.name, content)
        created = uploaded.created_at or _unix(deps)
        expires_at, refresh_at = _times(created)
        fresh = await library.renewed(item, uploaded.media_id, created, expires_at, refresh_at)
        logger.info("media %s re-uploaded: its media_id lasts 3 more days", item_id)
        return fresh


async def renew_due(deps: Deps) -> int:
    """Re-upload every item whose media_id is due (the minute tick); how many were renewed.

    A refusal or an unreachable WeCom leaves the item due: the next tick tries again, and
    it still has a day before its media_id expires. A rate limit goes up to the worker,
    which puts the tick back for later.
    """
    now = _unix(deps)
    renewed = 0
    for item_id in await deps.get(MEDIA_LIBRARY).due(now):
        try:
            item = await renew(deps, item_id, unless_fresh_until=now + _margin())
        except RateLimited:
            raise
        except (WeComAPIError, WeComUnavailable) as exc:
            logger.warning("media %s: re-upload failed, retried next minute: %s", item_id, exc)
            continue
        renewed += item is not None
    return renewed


def _margin() -> int:
    """A media_id lasting more than this past its renewal time was renewed by someone else."""
    return int((TEMPORARY_LIFETIME - RENEW_AFTER).total_seconds())
