"""The sidebar's stack: the sandbox and siyu with the sidebar on, pointed at the sandbox's
authorize page, a customer of zhangwei who came through a poster, fast reminders and an
admin token for posting archived chats. Shared by the API tests and the browser tests."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any, Final

import aiohttp
from redis.asyncio import Redis

from bot.app import create_app
from bot.clock import ManualClock
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from bot.sandbox.world import WORLD
from tests.support.sandbox import Sandbox
from tests.support.settings import siyu_settings_for
from tests.support.stack import ClientFactory, PatientServer, Stack

CUSTOMER: Final = "wmSIDEBAR0001"
STAFF: Final = "zhangwei"
STRANGER: Final = "lina"
BOSS: Final = "manager"
GROUP: Final = "wrDEMOvip0001"
SECRET: Final = "test-session-secret-0123456789"
ADMIN_TOKEN: Final = "sidebar-test-token"
AUTH: Final = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
FAST_REMINDERS: Final = {"poll_seconds": 0.05, "renew_seconds": 0.2, "lease_seconds": 1.0}


async def start_sidebar_stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    """The stack, with CUSTOMER added by STAFF through the poster channel (ch_poster_a)."""
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    app = create_sandbox_app(config, clock)
    sandbox = Sandbox(await aiohttp_client(PatientServer(app)), config, clock)
    settings = siyu_settings_for(
        config,
        str(sandbox.http.make_url("/cgi-bin")),
        redis_url,
        queue={"block_ms": 20, "janitor_interval_seconds": 0.05},
        reminders=FAST_REMINDERS,
        admin={"token": ADMIN_TOKEN},
        sidebar={
            "session_secret": SECRET,
            "cookie_secure": False,
            "authorize_url": str(sandbox.http.make_url("/connect/oauth2/authorize")),
            "all_customers": [BOSS],
        },
    )
    siyu = await aiohttp_client(create_app(settings, clock=clock))
    callback = str(siyu.make_url("/wecom/callback"))
    await sandbox.control("POST", "callback_url", {"app": "default", "url": callback})
    stack = Stack(sandbox, siyu, settings, clock, redis, app[WORLD])
    await sandbox.control(
        "POST", f"customers/{CUSTOMER}/add", {"staff": STAFF, "state": "ch_poster_a"}
    )
    await stack.drained()
    return stack


async def post_archived(stack: Stack, messages: list[dict[str, Any]]) -> None:
    """Archived chat messages through the admin API, handled before this returns."""
    response = await stack.siyu.post("/api/v1/archive/messages", json=messages, headers=AUTH)
    assert response.status == 200, await response.text()
    await stack.drained()


PNG: Final = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


async def upload_image(stack: Stack, filename: str = "product.png") -> str:
    """A library image through POST /api/v1/media; its item id."""
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(PNG), filename=filename)
    answer = await stack.siyu.post("/api/v1/media", data=form, headers=AUTH)
    assert answer.status == 201, await answer.text()
    return str((await answer.json())["id"])


async def add_image_reply(stack: Stack, item_id: str) -> None:
    """A 话术 「产品图」 (text and a library image) in a new group 产品, via /api/v1/rules."""
    current = await stack.siyu.get("/api/v1/rules/replies", headers=AUTH)
    assert current.status == 200, await current.text()
    document = (await current.json())["document"]
    document["groups"].append(
        {
            "name": "产品",
            "replies": [
                {
                    "id": "product_photo",
                    "title": "产品图",
                    "text": "这是我们的新品，请看图：",
                    "attachments": [{"kind": "image", "media_id": item_id}],
                }
            ],
        }
    )
    headers = {**AUTH, "If-Match": current.headers["ETag"]}
    put = await stack.siyu.put("/api/v1/rules/replies", json=document, headers=headers)
    assert put.status == 200, await put.text()
