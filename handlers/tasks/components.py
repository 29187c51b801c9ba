"""Group tasks' repositories, built once per process and found by key."""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

from bot.deps import ComponentKey, Components
from config.settings import Settings
from handlers.tasks.store import MonthlySends, TaskStore

TASK_STORE: Final = ComponentKey[TaskStore]("task_store")
MONTHLY_SENDS: Final = ComponentKey[MonthlySends]("monthly_sends")


def provide(components: Components, redis: Redis, settings: Settings) -> None:
    """Register group tasks' repositories."""
    corp = settings.wecom.corp_id
    components.provide(TASK_STORE, TaskStore(redis, corp))
    components.provide(MONTHLY_SENDS, MonthlySends(redis, corp))
