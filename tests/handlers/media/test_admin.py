"""/api/v1/media over HTTP: upload, list with expiry state, one item, its bytes, delete;
WeCom's limits refused with a clear 422; pic_url in rules must be WeCom-hosted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from tests.handlers.media.support import AUTH, PDF, PNG, TOKEN, api, tick, upload
from tests.support.stack import ClientFactory, Stack, start_stack

MB = 1024 * 1024


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(Stack, aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})


async def test_upload_list_show_content_delete(stack: Stack) -> None:
    image = await upload(stack, "poster.png", PNG)
    stack.clock.advance(timedelta(seconds=1))  # newest first
    file = await upload(stack, "价目表.pdf", PDF)
    assert image["kind"] == "image" and image["state"] == "permanent" and image["media_id"] is None
    assert image["reference"] == {"library": image["id"]}
    assert file["kind"] == "file" and file["state"] == "fresh" and file["pic_url"] is None
    assert file["expires_at"] == int((stack.clock.now() + timedelta(days=3)).timestamp())

    page = await api(stack, "GET", "media?limit=1")
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [file["id"]]
    rest = await api(stack, "GET", f"media?limit=1&cursor={page['next_cursor']}")
    assert [i["id"] for i in rest["items"]] == [image["id"]] and rest["next_cursor"] is None

    content = await stack.siyu.get(f"/api/v1/media/{file['id']}/content", headers=AUTH)
    assert content.status == 200 and await content.read() == PDF
    assert content.content_type == "application/octet-stream"

    await api(stack, "DELETE", f"media/{file['id']}", expect=204)
    gone = await api(stack, "GET", f"media/{file['id']}", expect=404)
    assert gone["error"]["code"] == "not_found"


async def test_the_expiry_state_follows_the_clock_and_the_tick_renews(stack: Stack) -> None:
    file = await upload(stack, "price.pdf", PDF)
    stack.clock.advance(timedelta(days=2, minutes=1))
    assert (await api(stack, "GET", f"media/{file['id']}"))["state"] == "renewing"
    await tick(stack)
    renewed = await api(stack, "GET", f"media/{file['id']}")
    assert renewed["state"] == "fresh" and renewed["media_id"] != file["media_id"]
    stack.clock.advance(timedelta(days=3))  # no tick for 3 days
    assert (await api(stack, "GET", f"media/{file['id']}"))["state"] == "expired"


@pytest.mark.parametrize(
    ("filename", "size", "kind", "message"),
    [
        ("poster.gif", 100, "image", "poster.gif: a image must be JPEG/JPG/PNG, not gif"),
        ("clip.mov", 100, "video", "clip.mov: a video must be MP4, not mov"),
        ("big.png", 10 * MB + 1, None, "WeCom takes a image of at most 10 MB"),
        ("big.mp4", 10 * MB + 1, None, "WeCom takes a video of at most 10 MB"),
        ("tiny.txt", 5, None, "tiny.txt: 5 bytes; WeCom takes files over 5 bytes"),
        ("a.txt", 100, "sticker", "type 'sticker': WeCom takes image, voice, video or file"),
    ],
)
async def test_what_wecom_would_refuse_is_a_clear_422(
    stack: Stack, filename: str, size: int, kind: str | None, message: str
) -> None:
    fields = {"kind": kind} if kind else {}
    refused = (await upload(stack, filename, b"x" * size, expect=422, **fields))["error"]
    assert refused["code"] == "invalid" and message in refused["message"]
    assert await stack.calls("media/upload") == [] and await stack.calls("media/uploadimg") == []


async def test_over_wecoms_largest_upload_is_413_and_no_file_is_422(stack: Stack) -> None:
    too_big = await upload(stack, "huge.zip", b"x" * (20 * MB + 1), expect=413)
    assert too_big["error"]["code"] == "too_large"
    answer = await stack.siyu.post("/api/v1/media", json={"file": "a.png"}, headers=AUTH)
    assert answer.status == 400 and "multipart/form-data" in (await answer.text())


async def test_without_credentials_nothing_is_uploaded(stack: Stack) -> None:
    answer = await stack.siyu.post("/api/v1/media", data=b"x")
    assert answer.status == 401


async def _put_rules(stack: Stack, change: Any) -> Any:
    got = await stack.siyu.get("/api/v1/intake/rules", headers=AUTH)
    rules, version = await got.json(), got.headers["ETag"]
    rules["channels"]["poster_a"]["welcome"]["attachments"] = [change]
    return await stack.siyu.put(
        "/api/v1/intake/rules", json=rules, headers={**AUTH, "If-Match": version}
    )


@pytest.mark.parametrize(
    ("attachment", "message"),
    [
        (
            {"msgtype": "image", "image": {"pic_url": "https://example.com/a.png"}},
            "is not hosted by WeCom",
        ),
        (
            {"msgtype": "image", "image": {"path": "poster.png"}},
            "WeCom cannot read siyu's files; upload it to the media library",
        ),
        ({"msgtype": "file", "file": {"path": "/srv/a.pdf"}}, "siyu media upload FILE"),
    ],
)
async def test_rules_refuse_images_wecom_would_not_show_with_a_clear_422(
    stack: Stack, attachment: dict[str, Any], message: str
) -> None:
    answer = await _put_rules(stack, attachment)
    assert answer.status == 422
    refused = (await answer.json())["error"]
    assert message in refused["message"] and "errors.pydantic.dev" not in str(refused)
    assert "path=" not in str(refused)


@pytest.mark.parametrize(
    "attachment",
    [
        {"msgtype": "image", "image": {"pic_url": "https://wework.qpic.cn/wwpic/1/0"}},
        {"msgtype": "image", "image": {"pic_url": "http://p.qpic.cn/abc/0"}},
        {"msgtype": "image", "image": {"library": "<poster.png>"}},
        {"msgtype": "file", "file": {"library": "<价目表.pdf>"}},
    ],
)
async def test_rules_take_wecom_hosted_images_and_library_items(
    stack: Stack, attachment: dict[str, Any]
) -> None:
    uploaded = {
        f"<{name}>": (await upload(stack, name, content))["id"]
        for name, content in (("poster.png", PNG), ("价目表.pdf", PDF))
    }
    for part in attachment.values():
        if isinstance(part, dict) and "library" in part:
            part["library"] = uploaded[part["library"]]
    answer = await _put_rules(stack, attachment)
    assert answer.status == 200, await answer.text()


async def test_rules_naming_a_library_item_that_does_not_exist_are_refused(stack: Stack) -> None:
    image = await upload(stack, "poster.png", PNG)
    answer = await _put_rules(stack, {"msgtype": "file", "file": {"library": "m0123456789ab"}})
    assert answer.status == 422
    refused = (await answer.json())["error"]
    assert "no media-library item 'm0123456789ab'" in refused["message"]
    [detail] = refused["details"]
    assert detail["type"] == "library_item_missing"
    assert detail["field"].endswith("welcome.attachments.0.file.library")

    got = await stack.siyu.get("/api/v1/rules/intake", headers=AUTH)
    document, version = (await got.json())["document"], got.headers["ETag"]
    welcome = document["channels"]["poster_a"]["welcome"]
    welcome["attachments"] = [
        {"msgtype": "image", "image": {"library": image["id"]}},
        {"msgtype": "image", "image": {"library": "m_gone"}},
    ]
    generic = await stack.siyu.put(
        "/api/v1/rules/intake", json=document, headers={**AUTH, "If-Match": version}
    )
    assert generic.status == 422
    [missing] = (await generic.json())["error"]["details"]
    assert missing["field"] == "body.channels.poster_a.welcome.attachments.1.image.library"
    unchanged = await stack.siyu.get("/api/v1/rules/intake", headers=AUTH)
    assert unchanged.headers["ETag"] == version, "nothing was written"
