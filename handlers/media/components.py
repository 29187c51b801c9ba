"""The media library's repository, built once per process and found by key."""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

from bot.deps import ComponentKey, Components
from config.settings import Settings
from handlers.media.library import MediaLibrary

MEDIA_LIBRARY: Final = ComponentKey[MediaLibrary]("media_library")


def provide(components: Components, redis: Redis, settings: Settings) -> None:
    """Register the media library."""
    components.provide(MEDIA_LIBRARY, MediaLibrary(redis, settings.wecom.corp_id))
