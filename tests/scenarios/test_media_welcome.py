"""End to end: a welcome whose image and file come from the media library stays complete
while the days pass (temporary media re-uploaded on the minute tick), and never carries a
stale media_id."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from handlers.intake.live import rules_store
from tests.handlers.media.support import (
    PDF,
    PNG,
    POSTER_CODE,
    TOKEN,
    api,
    pass_days,
    poster_welcome_with,
    upload,
)
from tests.support.stack import ClientFactory, Stack, start_stack
from tests.support.wecom import eventually


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(Stack, aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})


async def _library_welcome(stack: Stack) -> tuple[dict[str, Any], dict[str, Any]]:
    image = await upload(stack, "poster.png", PNG)
    file = await upload(stack, "price.pdf", PDF)
    rules = poster_welcome_with(
        [
            {"msgtype": "image", "image": {"library": image["id"]}},
            {"msgtype": "file", "file": {"library": file["id"]}},
        ]
    )
    await rules_store(stack.deps).put(rules)
    return image, file


async def _welcome(stack: Stack, customer: str) -> dict[str, Any]:
    await stack.sandbox.control("POST", f"contact_ways/{POSTER_CODE}/scan", {"customer": customer})

    async def sent() -> bool:
        return any(c["body"]["welcome_code"] for c in await _welcomes(stack, customer))

    await eventually(sent)
    [call] = await _welcomes(stack, customer)
    return call


async def _welcomes(stack: Stack, customer: str) -> list[dict[str, Any]]:
    codes = {
        c.code for c in stack.world.corp.welcome_codes.values() if c.external_userid == customer
    }
    calls = await stack.calls("externalcontact/send_welcome_msg")
    return [c for c in calls if c["body"]["welcome_code"] in codes]


async def _media_is_live(stack: Stack, media_id: str) -> bool:
    """Whether WeCom (the sandbox) still serves ``media_id`` (media/get)."""
    params = {"access_token": await stack.sandbox.token(), "media_id": media_id}
    answer = await stack.sandbox.http.get("/cgi-bin/media/get", params=params)
    return answer.content_type != "application/json"


async def test_a_library_welcome_arrives_complete_after_four_days(stack: Stack) -> None:
    image, file = await _library_welcome(stack)
    assert image["pic_url"] and image["state"] == "permanent"
    assert file["media_id"] and file["state"] == "fresh"

    await pass_days(stack, 4)

    call = await _welcome(stack, "wmMEDIAday4")
    assert call["response"]["errcode"] == 0
    [sent_image, sent_file] = call["body"]["attachments"]
    assert sent_image == {"msgtype": "image", "image": {"pic_url": image["pic_url"]}}
    now_file = await api(stack, "GET", f"media/{file['id']}")
    assert sent_file == {"msgtype": "file", "file": {"media_id": now_file["media_id"]}}
    assert now_file["media_id"] != file["media_id"], "the file was not re-uploaded"
    assert await _media_is_live(stack, now_file["media_id"])
    assert not await _media_is_live(stack, file["media_id"])  # the first one did expire
    uploads = await stack.calls("media/upload")
    assert len(uploads) == 3  # the upload, then every 2 days: day 2 and day 4
    assert now_file["used_by"] == {"channel:poster_a": int(stack.clock.now().timestamp())}
    assert now_file["state"] == "fresh"


async def test_a_stale_media_id_is_re_uploaded_before_it_is_sent(stack: Stack) -> None:
    _, file = await _library_welcome(stack)
    stack.clock.advance(timedelta(days=3, minutes=1))  # no tick ran: siyu's workers were down

    call = await _welcome(stack, "wmMEDIAstale")

    assert call["response"]["errcode"] == 0
    sent = call["body"]["attachments"][1]["file"]["media_id"]
    assert sent != file["media_id"] and await _media_is_live(stack, sent)


async def test_a_media_id_that_cannot_be_renewed_is_left_out_not_sent(stack: Stack) -> None:
    _, file = await _library_welcome(stack)
    stack.clock.advance(timedelta(days=3, minutes=1))
    await stack.sandbox.control(
        "POST", "faults", {"api": "media/upload", "errcode": 40006, "count": 5}
    )

    call = await _welcome(stack, "wmMEDIAfail")

    assert call["response"]["errcode"] == 0  # the text and the image still went
    assert [a["msgtype"] for a in call["body"]["attachments"]] == ["image"]
    every_sent = [
        a
        for c in await stack.calls("externalcontact/send_welcome_msg")
        for a in c["body"].get("attachments", [])
    ]
    assert file["media_id"] not in str(every_sent)
