"""The admin API: credentials required (the legacy token is an admin key), queue and dead
letters with a cursor, errors in the one shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.clock import ManualClock
from bot.queue import EventQueue, QueuedEvent
from config.settings import Settings
from tests.conftest import make_settings

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]
TOKEN = "admin-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def admin_settings(redis_url: str) -> Settings:
    return make_settings(redis_url, admin={"token": TOKEN})


@pytest.fixture
async def admin(
    aiohttp_client: ClientFactory, admin_settings: Settings, clock: ManualClock
) -> Client:
    return await aiohttp_client(create_app(admin_settings, role=Role.ADMIN, clock=clock))


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": TOKEN}, 401),
        (AUTH, 200),
    ],
    ids=["none", "wrong", "no-scheme", "right"],
)
async def test_bearer_token_is_required(
    admin: Client, headers: dict[str, str], status: int
) -> None:
    response = await admin.get("/api/v1/queue", headers=headers)
    assert response.status == status
    if status != 200:
        error = (await response.json())["error"]
        assert error["code"] == "unauthorized" and error["details"] == []


async def test_without_credentials_configured_the_api_says_how_to_get_one(
    aiohttp_client: ClientFactory, redis_url: str
) -> None:
    client = await aiohttp_client(create_app(make_settings(redis_url), role=Role.ADMIN))
    response = await client.get("/api/v1/queue", headers={"Authorization": "Bearer "})
    assert response.status == 401
    assert "siyu apikey create" in (await response.json())["error"]["message"]


async def test_dead_letters_listed_without_content_and_replayed(
    admin: Client, admin_settings: Settings, redis: Redis
) -> None:
    queue = EventQueue(redis, admin_settings.wecom.corp_id)
    await queue.ensure_group()
    entry = QueuedEvent("1-1", "default", "text", "msg|1", "<xml>private words</xml>", 0)
    dead_id = await queue.dead_letter(entry, 5, "RuntimeError: boom")

    listed = await (await admin.get("/api/v1/dead-letters", headers=AUTH)).json()
    assert [item["id"] for item in listed["items"]] == [dead_id]
    assert listed["next_cursor"] is None
    assert "xml" not in listed["items"][0]
    assert listed["items"][0]["error"] == "RuntimeError: boom"

    missing = await admin.post("/api/v1/dead-letters/0-1/replay", headers=AUTH)
    assert missing.status == 404
    replayed = await admin.post(f"/api/v1/dead-letters/{dead_id}/replay", headers=AUTH)
    assert replayed.status == 200
    stats = await (await admin.get("/api/v1/queue", headers=AUTH)).json()
    assert (stats["length"], stats["dead"]) == (1, 0)
    assert stats["lanes"] == {
        "main": {"length": 1, "pending": 0, "delayed": 0},
        "express": {"length": 0, "pending": 0, "delayed": 0},
    }
