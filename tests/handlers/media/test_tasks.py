"""Group tasks carry media-library items: resolved to the current media at the call; a
pic_url WeCom does not host is refused with a clear 422."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from tests.handlers.media.support import AUTH, PDF, PNG, TOKEN, upload
from tests.handlers.tasks.stack import Stack, start_stack
from tests.support.stack import ClientFactory


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})


def _task(stack: Stack, attachments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "title": "新品价目",
        "content": {"text": "新品价目表请查收", "attachments": attachments},
        "deadline": (stack.clock.now() + timedelta(days=5)).isoformat(),
        "customers": {"any_tags": ["直播"]},
    }


async def test_a_task_sends_the_library_items_current_media(stack: Stack) -> None:
    image = await upload(stack, "poster.png", PNG)
    file = await upload(stack, "price.pdf", PDF)
    stack.clock.advance(timedelta(days=3, minutes=1))  # the file's first media_id expired
    attachments = [
        {"msgtype": "image", "image": {"library": image["id"]}},
        {"msgtype": "file", "file": {"library": file["id"]}},
    ]

    created = await stack.siyu.post("/api/v1/tasks", json=_task(stack, attachments), headers=AUTH)
    assert created.status == 202, await created.text()
    await stack.drained()

    [call] = await stack.calls("externalcontact/add_msg_template")
    assert call["response"]["errcode"] == 0
    [sent_image, sent_file] = call["body"]["attachments"]
    assert sent_image == {"msgtype": "image", "image": {"pic_url": image["pic_url"]}}
    now_file = await (await stack.siyu.get(f"/api/v1/media/{file['id']}", headers=AUTH)).json()
    assert sent_file == {"msgtype": "file", "file": {"media_id": now_file["media_id"]}}
    assert now_file["media_id"] != file["media_id"]
    task_id = (await created.json())["id"]
    assert now_file["used_by"] == {f"task:{task_id}": int(stack.clock.now().timestamp())}


async def test_a_pic_url_wecom_does_not_host_is_refused(stack: Stack) -> None:
    image = {"msgtype": "image", "image": {"pic_url": "https://cdn.example.com/a.png"}}
    answer = await stack.siyu.post("/api/v1/tasks", json=_task(stack, [image]), headers=AUTH)
    assert answer.status == 422
    error = (await answer.json())["error"]
    assert "is not hosted by WeCom" in error["message"] and "library" in error["message"]
