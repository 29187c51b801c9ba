"""WeComAPI: the typed methods of one app, and building them for every configured app."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp
from redis.asyncio import Redis

from bot.clock import Clock
from bot.wecom.campaigns import CampaignsAPI
from bot.wecom.client import WeComClient
from bot.wecom.contacts import ContactsAPI
from bot.wecom.groups import GroupsAPI
from bot.wecom.kf import KfAPI
from bot.wecom.limits import RateLimiter
from bot.wecom.media import MediaAPI
from bot.wecom.messages import MessagesAPI
from bot.wecom.tokens import TokenCache
from bot.wecom.transport import CallObserver, Timeouts, Transport
from config.settings import AppSettings, Settings


@dataclass(frozen=True, slots=True)
class WeComAPI:
    """Everything siyu calls on WeCom as one app, by area."""

    client: WeComClient
    contacts: ContactsAPI
    campaigns: CampaignsAPI
    groups: GroupsAPI
    messages: MessagesAPI
    kf: KfAPI
    media: MediaAPI

    @classmethod
    def over(cls, client: WeComClient, duplicate_check_seconds: int = 1800) -> WeComAPI:
        """The areas of ``client``."""
        return cls(
            client=client,
            contacts=ContactsAPI(client),
            campaigns=CampaignsAPI(client),
            groups=GroupsAPI(client),
            messages=MessagesAPI(client, duplicate_check_seconds),
            kf=KfAPI(client),
            media=MediaAPI(client),
        )


def build_api(
    settings: Settings, app: AppSettings, transport: Transport, redis: Redis, clock: Clock
) -> WeComAPI:
    """The API of one configured app over a shared transport."""
    wecom = settings.wecom
    tokens = TokenCache(redis, transport, wecom.corp_id, app.secret.get_secret_value(), clock)
    limiter = RateLimiter(redis, wecom.corp_id, wecom.limits.max_wait_seconds)
    client = WeComClient(transport, tokens, limiter, wecom.limits, app.agent_id)
    return WeComAPI.over(client, wecom.duplicate_check_seconds)


@contextlib.asynccontextmanager
async def open_wecom(
    settings: Settings, redis: Redis, clock: Clock, observer: CallObserver | None = None
) -> AsyncIterator[Mapping[str, WeComAPI]]:
    """One aiohttp session for all apps; yields each app's API by its name.

    ``observer``: told of every call (the process's metrics).
    """
    http = settings.wecom.http
    timeouts = Timeouts(
        http.connect_timeout_seconds, http.read_timeout_seconds, http.total_timeout_seconds
    )
    async with aiohttp.ClientSession(timeout=timeouts.client_timeout()) as session:
        transport = Transport(
            session,
            settings.wecom.api_base,
            timeouts,
            busy_tries=http.busy_tries,
            backoff_seconds=http.backoff_seconds,
            observer=observer,
        )
        yield {
            name: build_api(settings, app, transport, redis, clock)
            for name, app in settings.apps.items()
        }
