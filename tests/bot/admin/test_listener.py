"""``[admin] port``: /api/v1 only on the admin listener; the callback port keeps the rest."""

from __future__ import annotations

import socket

import aiohttp

from bot.app import ADMIN_RUNNER, Role, create_app
from tests.bot.admin.conftest import LEGACY_TOKEN, ClientFactory
from tests.conftest import make_settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_admin_api_moves_to_its_own_port(
    aiohttp_client: ClientFactory, redis_url: str
) -> None:
    port = _free_port()
    settings = make_settings(redis_url, admin={"token": LEGACY_TOKEN, "port": port})
    callbacks = await aiohttp_client(create_app(settings, role=Role.ALL))
    auth = {"Authorization": f"Bearer {LEGACY_TOKEN}"}
    assert (await callbacks.get("/api/v1/queue", headers=auth)).status == 404
    assert (await callbacks.get("/healthz")).status == 200
    assert callbacks.app[ADMIN_RUNNER].addresses
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{port}/api/v1/queue"
        async with session.get(url, headers=auth) as answer:
            assert answer.status == 200
        async with session.get(url) as answer:
            assert answer.status == 401
