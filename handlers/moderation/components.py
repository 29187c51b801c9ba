"""Moderation's repositories, built once per process and found by key."""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

from bot.deps import ComponentKey, Components
from config.settings import Settings
from handlers.moderation.cooldown import Cooldowns
from handlers.moderation.violations import AlertRecords, Violations

VIOLATIONS: Final = ComponentKey[Violations]("violations")
ALERT_RECORDS: Final = ComponentKey[AlertRecords]("alert_records")
COOLDOWNS: Final = ComponentKey[Cooldowns]("prompt_cooldowns")


def provide(components: Components, redis: Redis, settings: Settings) -> None:
    """Register moderation's repositories."""
    corp = settings.wecom.corp_id
    components.provide(VIOLATIONS, Violations(redis, corp))
    components.provide(ALERT_RECORDS, AlertRecords(redis, corp))
    components.provide(COOLDOWNS, Cooldowns(redis, corp))
