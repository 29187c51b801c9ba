"""Shared fixtures: one real Redis per test session, settings isolated per test by corp id."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store.connection import connect
from bot.store.embedded import EmbeddedRedis
from config.settings import Settings

TOKEN = "siyuTestToken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
NOW = datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL if set, else a fresh embedded redis-server for this test session."""
    external = os.environ.get("REDIS_URL")
    if external:
        yield external
        return
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis")))
    yield server.start()
    server.stop()


def make_settings(redis_url: str, **sections: Any) -> Settings:
    """Settings for one test: a corp id of its own keeps its keys apart from other tests."""
    values: dict[str, Any] = {
        "wecom": {"corp_id": f"wwtest{secrets.token_hex(6)}"},
        "apps": {
            "default": {"agent_id": 1000002, "token": TOKEN, "encoding_aes_key": AES_KEY},
        },
        "redis": {"url": redis_url},
        "queue": {"block_ms": 50, "janitor_interval_seconds": 0.1},
    }
    for name, overrides in sections.items():
        if isinstance(overrides, dict) and isinstance(values.get(name), dict):
            values[name] = {**values[name], **overrides}
        else:
            values[name] = overrides
    return Settings(**values)


@pytest.fixture
def settings(redis_url: str) -> Settings:
    """Default test settings on the session's Redis."""
    return make_settings(redis_url)


@pytest.fixture
def clock() -> ManualClock:
    """A clock fixed at NOW."""
    return ManualClock(NOW)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """A client of the session's Redis."""
    client = connect(redis_url, 2.0)
    yield client
    await client.aclose()
