"""Helpers of the media tests: uploads over the admin API, ticks, library welcomes."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import aiohttp

from bot.events.ticks import enqueue_minute_tick
from bot.live import RUNTIME
from handlers.intake.rules import IntakeRules, load_rules_file
from tests.support.stack import Stack

TOKEN = "media-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
PDF = b"%PDF-1.4\n" + b"price list " * 50
POSTER_CODE = "cwDEMOposter"  # the demo corp's live code with state ch_poster_a


async def upload(
    stack: Stack, filename: str, content: bytes, expect: int = 201, **fields: str
) -> Any:
    """POST /api/v1/media with the file (multipart field ``file``)."""
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(content), filename=filename)
    for name, value in fields.items():
        form.add_field(name, value)
    answer = await stack.siyu.post("/api/v1/media", data=form, headers=AUTH)
    assert answer.status == expect, await answer.text()
    return await answer.json()


async def api(stack: Stack, method: str, path: str, expect: int = 200, **options: Any) -> Any:
    """Call /api/v1/{path} with the token; the JSON answer."""
    answer = await stack.siyu.request(method, f"/api/v1/{path}", headers=AUTH, **options)
    assert answer.status == expect, await answer.text()
    return None if answer.status == 204 else await answer.json()


async def tick(stack: Stack) -> None:
    """The scheduler leader's minute tick, handled by a worker."""
    runtime = stack.siyu.app[RUNTIME]
    await enqueue_minute_tick(
        runtime.queue, stack.settings.wecom.corp_id, "default", stack.clock.now()
    )
    await stack.drained()


async def pass_days(stack: Stack, days: float, step: timedelta = timedelta(hours=6)) -> None:
    """Move the shared clock ``days`` ahead, a minute tick every ``step``."""
    end = stack.clock.now() + timedelta(days=days)
    while stack.clock.now() + step <= end:
        stack.clock.advance(step)
        await tick(stack)


def poster_welcome_with(attachments: list[dict[str, Any]]) -> IntakeRules:
    """The default rules with channel poster_a's welcome carrying ``attachments``."""
    data = load_rules_file().model_dump()
    data["channels"]["poster_a"]["welcome"]["attachments"] = attachments
    return IntakeRules.model_validate(data)
