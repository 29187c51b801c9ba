"""Deps: everything a handler may use, built once by the app and passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.clock import Clock
from bot.store.ledger import Ledger
from config.settings import Settings


@dataclass(frozen=True, slots=True)
class Deps:
    """Handler dependencies: settings, Redis, the idempotency ledger and the clock."""

    settings: Settings
    redis: Redis
    ledger: Ledger
    clock: Clock

    @property
    def corp_id(self) -> str:
        """The corp this deployment serves."""
        return self.settings.wecom.corp_id
