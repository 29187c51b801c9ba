"""An admin API on the session's Redis with one API key per role (and the legacy token)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.admin.apikeys import ApiKeys
from bot.admin.roles import Role
from bot.app import Role as AppRole
from bot.app import create_app
from bot.clock import ManualClock
from config.settings import Settings
from tests.conftest import make_settings

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]
LEGACY_TOKEN = "legacy-admin-token"


@dataclass(frozen=True, slots=True)
class Api:
    """A running gateway's admin API and a bearer header per role."""

    client: Client
    settings: Settings
    headers: dict[Role, dict[str, str]]

    def auth(self, role: Role) -> dict[str, str]:
        """The Authorization header of ``role``'s key."""
        return self.headers[role]


@pytest.fixture
def admin_settings(redis_url: str) -> Settings:
    return make_settings(redis_url, admin={"token": LEGACY_TOKEN, "login_max_failures": 3})


@pytest.fixture
async def api(
    aiohttp_client: ClientFactory, admin_settings: Settings, clock: ManualClock, redis: Redis
) -> Api:
    client = await aiohttp_client(create_app(admin_settings, role=AppRole.ADMIN, clock=clock))
    keys = ApiKeys(redis, admin_settings.wecom.corp_id)
    headers = {}
    for role in Role:
        _, key = await keys.create(role, f"test {role}", clock.now())
        headers[role] = {"Authorization": f"Bearer {key}"}
    return Api(client, admin_settings, headers)
