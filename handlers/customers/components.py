"""The customer record's repositories, built once per process and found by key."""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

from bot.deps import ComponentKey, Components
from config.settings import Settings
from handlers.customers.do_not_disturb import DoNotDisturb
from handlers.customers.profiles import Customers
from handlers.customers.tags import TagCatalogue

CUSTOMERS: Final = ComponentKey[Customers]("customers")
TAG_CATALOGUE: Final = ComponentKey[TagCatalogue]("tag_catalogue")
DO_NOT_DISTURB: Final = ComponentKey[DoNotDisturb]("do_not_disturb")


def provide(components: Components, redis: Redis, settings: Settings) -> None:
    """Register the customer record's repositories."""
    corp = settings.wecom.corp_id
    components.provide(CUSTOMERS, Customers(redis, corp))
    components.provide(TAG_CATALOGUE, TagCatalogue(redis, corp))
    components.provide(DO_NOT_DISTURB, DoNotDisturb(redis, corp))
