"""The live parts of a running siyu that its routes share, under one typed app key.

Light to import: the gateway, the ops routes and the admin routes read it without loading
the workers, the scheduler or any concern (bot/runtime.py builds it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aiohttp import web
from redis.asyncio import Redis

from bot.deps import Deps
from bot.metrics import Metrics
from bot.queue import EventQueue
from bot.spool import Spool
from config.settings import Settings


@dataclass(frozen=True, slots=True)
class Runtime:
    """Shared by the routes and background tasks of one process."""

    settings: Settings
    redis: Redis
    queue: EventQueue
    metrics: Metrics
    deps: Deps
    spool: Spool | None = None  # where callbacks go while Redis cannot take them


RUNTIME: Final = web.AppKey("runtime", Runtime)
