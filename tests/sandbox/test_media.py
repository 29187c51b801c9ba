"""media/upload, media/uploadimg and media/get: WeCom's limits and the 3-day expiry."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from tests.support.sandbox import Sandbox

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
MB = 1024 * 1024
OCTETS = "application/octet-stream"


async def _upload(
    sandbox: Sandbox, api: str, filename: str, content: bytes, **query: str
) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("media", io.BytesIO(content), filename=filename, content_type=OCTETS)
    params = {"access_token": await sandbox.token(), **query}
    response = await sandbox.http.post(f"/cgi-bin/{api}", params=params, data=form)
    assert response.status == 200
    answer: dict[str, Any] = await response.json()
    return answer


async def test_a_temporary_media_lives_three_days_on_the_sandbox_clock(sandbox: Sandbox) -> None:
    answer = await _upload(sandbox, "media/upload", "price.pdf", b"%PDF-1.4 hello", type="file")
    assert answer["errcode"] == 0 and answer["type"] == "file"
    media_id = answer["media_id"]
    params = {"access_token": await sandbox.token(), "media_id": media_id}

    got = await sandbox.http.get("/cgi-bin/media/get", params=params)
    assert await got.read() == b"%PDF-1.4 hello"
    assert got.headers["Content-Disposition"] == 'attachment; filename="price.pdf"'

    sandbox.clock.advance(timedelta(days=3))
    expired = await sandbox.get("media/get", media_id=media_id)
    assert expired["errcode"] == 40007
    [entry, *_] = await sandbox.outbox(api="media/upload")
    assert entry["body"]["media"] == {"filename": "price.pdf", "content_type": OCTETS, "size": 14}


async def test_uploadimg_answers_a_permanent_url_the_sandbox_serves(sandbox: Sandbox) -> None:
    answer = await _upload(sandbox, "media/uploadimg", "poster.PNG", PNG)
    assert answer["errcode"] == 0
    sandbox.clock.advance(timedelta(days=30))
    url = str(answer["url"])
    assert url.startswith(str(sandbox.http.make_url("/sandbox/media/")))
    served = await sandbox.http.get(url.removeprefix(str(sandbox.http.make_url(""))))
    assert served.status == 200 and await served.read() == PNG


@pytest.mark.parametrize(
    ("api", "filename", "size", "query", "errcode"),
    [
        ("media/upload", "a.gif", 100, {"type": "image"}, 40005),  # JPG/PNG only
        ("media/upload", "a.png", 10 * MB + 1, {"type": "image"}, 40009),
        ("media/upload", "a.mp4", 10 * MB + 1, {"type": "video"}, 40011),
        ("media/upload", "a.amr", 2 * MB + 1, {"type": "voice"}, 40010),
        ("media/upload", "a.zip", 20 * MB + 1, {"type": "file"}, 40006),
        ("media/upload", "a.txt", 5, {"type": "file"}, 40006),  # over 5 bytes
        ("media/upload", "a.txt", 100, {"type": "doc"}, 40004),
        ("media/uploadimg", "a.png", 2 * MB + 1, {}, 40009),
        ("media/uploadimg", "a.bmp", 100, {}, 40005),
    ],
)
async def test_wecom_limits_are_refused(
    sandbox: Sandbox, api: str, filename: str, size: int, query: dict[str, str], errcode: int
) -> None:
    answer = await _upload(sandbox, api, filename, b"x" * size, **query)
    assert answer["errcode"] == errcode, answer


async def test_a_welcome_with_an_expired_media_id_is_refused(sandbox: Sandbox) -> None:
    media_id = (await _upload(sandbox, "media/upload", "a.pdf", b"%PDF-1.4", type="file"))[
        "media_id"
    ]
    added = await sandbox.control("POST", "customers/wmMEDIA01/add", {"staff": "zhangwei"})
    sandbox.clock.advance(timedelta(days=3))
    added = await sandbox.control("POST", "customers/wmMEDIA02/add", {"staff": "zhangwei"})
    answer = await sandbox.post(
        "externalcontact/send_welcome_msg",
        {
            "welcome_code": added["welcome_code"],
            "attachments": [{"msgtype": "file", "file": {"media_id": media_id}}],
        },
    )
    assert answer["errcode"] == 40007
