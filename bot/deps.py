"""Deps: everything a handler may use, built once by the app and passed explicitly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bot.clock import Clock
from bot.metrics import Metrics
from bot.reminders.service import ReminderService
from bot.store.ledger import Ledger
from bot.wecom.api import WeComAPI
from config.settings import DEFAULT_APP, Settings
from nlp import Analyzer


@dataclass(frozen=True, slots=True)
class Deps:
    """Handler dependencies: settings, Redis, ledger, clock, WeCom's API per app, metrics."""

    settings: Settings
    redis: Redis
    ledger: Ledger
    clock: Clock
    wecom: Mapping[str, WeComAPI]
    metrics: Metrics = field(default_factory=Metrics)
    reminders: ReminderService | None = None  # built by the runtime; None in bare test Deps
    analyzer: Analyzer | None = None  # words and intents; built once by the runtime's workers

    def api(self, app: str = DEFAULT_APP) -> WeComAPI:
        """The WeCom API as ``app``."""
        return self.wecom[app]

    @property
    def corp_id(self) -> str:
        """The corp this deployment serves."""
        return self.settings.wecom.corp_id
