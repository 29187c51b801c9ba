"""Customer groups' repositories, built once per process and found by key."""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

from bot.deps import ComponentKey, Components
from config.settings import Settings
from handlers.groups.store import GroupCounters, GroupRegistry

GROUP_REGISTRY: Final = ComponentKey[GroupRegistry]("group_registry")
GROUP_COUNTERS: Final = ComponentKey[GroupCounters]("group_counters")


def provide(components: Components, redis: Redis, settings: Settings) -> None:
    """Register customer groups' repositories."""
    corp = settings.wecom.corp_id
    components.provide(GROUP_REGISTRY, GroupRegistry(redis, corp))
    ttl = settings.groups.stats_ttl_days * 86400
    components.provide(GROUP_COUNTERS, GroupCounters(redis, corp, ttl))
