"""The sidebar's own parts, built once per process: the timeline, the customers' flag lists
and the JS-SDK tickets."""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

from bot.clock import Clock
from bot.deps import ComponentKey, Components
from bot.wecom.api import WeComAPI
from bot.wecom.tickets import Tickets
from config.settings import Settings
from handlers.sidebar.flag_store import FlagStore
from handlers.sidebar.timeline import Timeline


class TicketBook:
    """Each app's JS-SDK tickets, made on first use and kept (with their in-memory copies)."""

    def __init__(self, redis: Redis, corp_id: str, clock: Clock) -> None:
        self._redis = redis
        self._corp = corp_id
        self._clock = clock
        self._by_agent: dict[int | None, Tickets] = {}

    def of(self, api: WeComAPI) -> Tickets:
        """The tickets fetched with ``api``'s access token."""
        agent = api.client.agent_id
        if agent not in self._by_agent:
            self._by_agent[agent] = Tickets(self._redis, api.client, self._corp, self._clock)
        return self._by_agent[agent]


TIMELINE: Final = ComponentKey[Timeline]("sidebar_timeline")
FLAGS: Final = ComponentKey[FlagStore]("sidebar_flags")
TICKETS: Final = ComponentKey[TicketBook]("sidebar_tickets")


def provide(components: Components, redis: Redis, settings: Settings, clock: Clock) -> None:
    """Register the sidebar's parts."""
    corp, sidebar = settings.wecom.corp_id, settings.sidebar
    components.provide(TIMELINE, Timeline(redis, corp, sidebar.timeline_max, sidebar.timeline_days))
    components.provide(TICKETS, TicketBook(redis, corp, clock))
    components.provide(FLAGS, FlagStore(redis, corp, sidebar.timeline_days))
