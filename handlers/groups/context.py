"""What the group steps share: the registry, the counters, the rules, the app's API, time."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.wecom.api import WeComAPI
from bot.wecom.errors import RateLimited, WeComAPIError
from config.settings import GroupSettings
from handlers.groups.components import GROUP_COUNTERS, GROUP_REGISTRY
from handlers.groups.rules import GROUP_RULES, GroupRules
from handlers.groups.store import GroupCounters, GroupRegistry

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Groups:
    """The customer groups of one corp, as one process sees them."""

    deps: Deps
    registry: GroupRegistry
    counters: GroupCounters
    rules: GroupRules
    tz: ZoneInfo
    at: datetime | None = None  # a fixed "now" (a scheduler job's fire time), else the clock

    @classmethod
    def of(cls, deps: Deps, at: datetime | None = None, rules: GroupRules | None = None) -> Groups:
        """From the handler dependencies (rules: the live ones unless given)."""
        return cls(
            deps,
            deps.get(GROUP_REGISTRY),
            deps.get(GROUP_COUNTERS),
            rules or deps.get(GROUP_RULES).latest(),
            ZoneInfo(deps.settings.timezone),
            at,
        )

    @property
    def settings(self) -> GroupSettings:
        """[groups]."""
        return self.deps.settings.groups

    @property
    def api(self) -> WeComAPI:
        """The app that calls groupchat/* and sends digests and alerts."""
        return self.deps.api(self.settings.app)

    def now(self) -> datetime:
        """The fixed time, else the injected clock's."""
        return self.at if self.at is not None else self.deps.clock.now()

    async def deliver(self, users: Sequence[str], card: Mapping[str, Any]) -> bool:
        """Send a card to a group's managers; False (logged) if WeCom refuses it for good."""
        try:
            await self.api.messages.send_card(users, card)
        except RateLimited:
            raise
        except WeComAPIError as exc:  # 81013: the owner left, nobody reachable
            logger.warning("card to %s refused: %s", "|".join(users), exc)
            return False
        return True

    def day_of(self, moment: datetime) -> str:
        """The local day (YYYYMMDD) of ``moment``."""
        return moment.astimezone(self.tz).strftime("%Y%m%d")
