"""The bot's FAQ lives in the rules store: an operator's change through /api/v1/rules/faq is
the answer to the very next customer message, without a restart; another process's change
shows within a poll; a document that does not validate changes nothing."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store.rules import RulesStore
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory

KF = "wkDEMOkf0001"
CUSTOMER = "wmDEMOliuyang0001"
AUTH = {"Authorization": "Bearer faq-admin-token"}
NEW_PRICE = "限时优惠：年卡 1999 元，月卡 199 元。"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(
        aiohttp_client, clock, redis_url, redis, admin={"token": "faq-admin-token"}
    )


async def answer_to(stack: Stack, text: str) -> str:
    """What the bot answered the customer's ``text`` (the head of its reply)."""
    before = len(await stack.calls("kf/send_msg"))
    path = f"kf/{KF}/customers/{CUSTOMER}/message"
    await stack.sandbox.control("POST", path, {"text": text})
    await stack.drained()
    [first, *_] = [call["body"] for call in (await stack.calls("kf/send_msg"))[before:]]
    if first["msgtype"] == "msgmenu":
        return str(first["msgmenu"]["head_content"])
    return str(first["text"]["content"])


async def faq_document(stack: Stack) -> tuple[dict[str, Any], str]:
    answer = await stack.siyu.get("/api/v1/rules/faq", headers=AUTH)
    assert answer.status == 200, await answer.text()
    return (await answer.json())["document"], answer.headers["ETag"]


def with_price(document: dict[str, Any], text: str) -> dict[str, Any]:
    for answer in document["answers"]:
        if answer["id"] == "price":
            answer["text"] = text
    return document


async def test_an_operators_change_answers_the_next_message(stack: Stack) -> None:
    assert (await answer_to(stack, "多少钱")).startswith("思域健身会员价格"), "the seed"

    document, version = await faq_document(stack)
    headers = {**AUTH, "If-Match": version}
    put = await stack.siyu.put(
        "/api/v1/rules/faq", json=with_price(document, NEW_PRICE), headers=headers
    )
    assert put.status == 200, await put.text()

    assert await answer_to(stack, "多少钱") == NEW_PRICE
    assert await answer_to(stack, "这个怎么卖") == NEW_PRICE, "found by a phrasing too"


async def test_a_bad_document_is_refused_and_the_answers_stay(stack: Stack) -> None:
    document, version = await faq_document(stack)
    document["welcome"]["menu"] = ["no_such_answer"]
    headers = {**AUTH, "If-Match": version}
    put = await stack.siyu.put("/api/v1/rules/faq", json=document, headers=headers)
    assert put.status == 422
    assert "unknown answers: no_such_answer" in await put.text()
    assert (await answer_to(stack, "多少钱")).startswith("思域健身会员价格")


async def test_another_processs_change_is_picked_up_within_a_poll(stack: Stack) -> None:
    await answer_to(stack, "你好")  # the bot has its answers loaded
    store = RulesStore(stack.redis, stack.settings.wecom.corp_id, stack.clock)
    document, version = await store.get("faq")
    await store.put("faq", with_price(document, NEW_PRICE), version, "user:other")
    deadline = time.monotonic() + 5
    answered = ""
    while answered != NEW_PRICE and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        answered = await answer_to(stack, "多少钱")
    assert answered == NEW_PRICE


async def test_a_library_image_goes_to_the_customer_by_media_id(stack: Stack) -> None:
    """kf/send_msg takes an image by media_id only: a permanent library image (kept as a
    pic_url) is uploaded as temporary media of the KF app when it is sent."""
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(PNG), filename="poster.png")
    uploaded = await stack.siyu.post("/api/v1/media", data=form, headers=AUTH)
    assert uploaded.status == 201, await uploaded.text()
    item = await uploaded.json()
    assert item["kind"] == "image" and item["media_id"] is None, "a permanent image: a pic_url"

    document, version = await faq_document(stack)
    for answer in document["answers"]:
        if answer["id"] == "price":
            answer["attachments"] = [{"msgtype": "image", "image": {"library": item["id"]}}]
    headers = {**AUTH, "If-Match": version}
    put = await stack.siyu.put("/api/v1/rules/faq", json=document, headers=headers)
    assert put.status == 200, await put.text()

    before = len(await stack.calls("kf/send_msg"))
    await answer_to(stack, "多少钱")
    sent = (await stack.calls("kf/send_msg"))[before:]
    [image] = [call for call in sent if call["body"]["msgtype"] == "image"]
    assert image["body"]["image"].get("media_id"), image["body"]
    assert "pic_url" not in image["body"]["image"]
    assert image["response"]["errcode"] == 0
