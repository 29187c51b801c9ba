"""What the task steps share: the store, the app's API, the clock and time zone, the settings."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from redis.typing import EncodableT

from bot.deps import Deps
from bot.wecom.api import WeComAPI
from bot.wecom.errors import RateLimited, WeComAPIError
from config.settings import TaskSettings
from handlers.tasks.caps import cap_for, month_of, month_ttl
from handlers.tasks.components import MONTHLY_SENDS, TASK_STORE
from handlers.tasks.model import TaskState
from handlers.tasks.store import MonthlySends, TaskStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Campaigns:
    """The group tasks of one corp, as one process sees them."""

    deps: Deps
    store: TaskStore
    months: MonthlySends
    tz: ZoneInfo
    at: datetime | None = None  # a fixed "now" (a scheduler job's fire time), else the clock

    @classmethod
    def of(cls, deps: Deps, at: datetime | None = None) -> Campaigns:
        """From the handler dependencies; ``at`` fixes the time the steps see."""
        return cls(
            deps,
            deps.get(TASK_STORE),
            deps.get(MONTHLY_SENDS),
            ZoneInfo(deps.settings.timezone),
            at,
        )

    @property
    def settings(self) -> TaskSettings:
        """[tasks]."""
        return self.deps.settings.tasks

    @property
    def api(self) -> WeComAPI:
        """The app that calls the customer-contact APIs and prompts staff."""
        return self.deps.api(self.settings.app)

    def now(self) -> datetime:
        """The fixed time, else the injected clock's."""
        return self.at if self.at is not None else self.deps.clock.now()

    def unix(self) -> int:
        """Now, in Unix seconds."""
        return int(self.now().timestamp())

    def month(self, moment: datetime | None = None) -> str:
        """The local month (YYYYMM) of ``moment`` (default now)."""
        return month_of(moment or self.now(), self.tz)

    def cap(self, moment: datetime | None = None) -> int:
        """WeCom's per-target cap in ``moment``'s month."""
        return cap_for(moment or self.now(), self.tz, self.settings.monthly_cap)

    async def deliver(self, users: Sequence[str], msgtype: str, content: Mapping[str, Any]) -> bool:
        """Send staff an app message; False (logged) if WeCom refuses it for good.

        A refusal (81013: nobody reachable, a resigned or invisible member) must not stop a
        task; RateLimited and WeComUnavailable propagate, so the step is tried again.
        """
        try:
            await self.api.messages.send(users, msgtype, content)
        except RateLimited:
            raise
        except WeComAPIError as exc:
            logger.warning("message to %s refused: %s", "|".join(users), exc)
            return False
        return True

    async def end(self, task_id: int, state: TaskState, **fields: EncodableT) -> None:
        """The task ended in ``state``: out of the open set, kept ``tasks.keep_days``."""
        keep = self.settings.keep_days * 86400
        await self.store.end(task_id, state, self.unix(), keep, **fields)
        self.deps.metrics.count_task_end(state.value)

    def month_ttl(self, moment: datetime | None = None) -> int:
        """How long the month's counts are kept from now."""
        return month_ttl(moment or self.now(), self.tz)
