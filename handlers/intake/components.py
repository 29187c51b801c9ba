"""Intake's repositories, built once per process and found by key."""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

from bot.deps import ComponentKey, Components
from config.settings import Settings
from handlers.intake.channel_store import ChannelCodes, ChannelStats
from handlers.intake.churn_store import ChurnDigests

CHANNEL_CODES: Final = ComponentKey[ChannelCodes]("channel_codes")
CHANNEL_STATS: Final = ComponentKey[ChannelStats]("channel_stats")
CHURN_DIGESTS: Final = ComponentKey[ChurnDigests]("churn_digests")


def provide(components: Components, redis: Redis, settings: Settings) -> None:
    """Register intake's repositories."""
    corp = settings.wecom.corp_id
    components.provide(CHANNEL_CODES, ChannelCodes(redis, corp))
    components.provide(CHANNEL_STATS, ChannelStats(redis, corp, settings.intake.stats_ttl_days))
    components.provide(CHURN_DIGESTS, ChurnDigests(redis, corp))
