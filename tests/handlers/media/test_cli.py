"""``siyu media upload FILE`` as a real process against a sandbox."""

from __future__ import annotations

import json
from pathlib import Path

from redis.asyncio import Redis

from handlers.media.library import MediaLibrary
from tests.handlers.media.support import PDF, PNG
from tests.handlers.tasks.test_cli import run
from tests.support.processes import write_config
from tests.support.sandboxed import ClientFactory, sandbox_and_settings


async def test_upload_an_image_and_a_file(
    aiohttp_client: ClientFactory, redis_url: str, redis: Redis, tmp_path: Path
) -> None:
    sandbox, settings = await sandbox_and_settings(aiohttp_client, redis_url)
    config = str(write_config(settings, tmp_path / "siyu.toml"))
    (tmp_path / "poster.png").write_bytes(PNG)
    (tmp_path / "price.pdf").write_bytes(PDF)

    status, out, err = await run(
        "media", "upload", str(tmp_path / "poster.png"), "--config", config
    )
    assert status == 0, err
    image_id = out.splitlines()[-1]
    assert "pic_url http" in out and f'{{"library": "{image_id}"}}' in out

    status, out, err = await run(
        "media", "upload", str(tmp_path / "price.pdf"), "--json", "--config", config
    )
    assert status == 0, err
    shown = json.loads(out)
    assert shown["kind"] == "file" and shown["media_id"] and shown["pic_url"] is None

    library = MediaLibrary(redis, settings.wecom.corp_id)
    assert await library.content(shown["id"]) == PDF
    image = await library.get(image_id)
    assert image is not None and image.pic_url
    every_call = await (await sandbox.get("/sandbox/outbox")).json()
    uploads = sorted(e["api"] for e in every_call if e["api"].startswith("media/"))
    assert uploads == ["media/upload", "media/uploadimg"]


async def test_a_file_wecom_would_refuse_is_refused_before_any_call(
    aiohttp_client: ClientFactory, redis_url: str, tmp_path: Path
) -> None:
    sandbox, settings = await sandbox_and_settings(aiohttp_client, redis_url)
    config = str(write_config(settings, tmp_path / "siyu.toml"))
    (tmp_path / "poster.gif").write_bytes(b"GIF89a" + b"\0" * 100)

    status, out, err = await run(
        "media", "upload", str(tmp_path / "poster.gif"), "--kind", "image", "--config", config
    )

    assert status == 1 and not out
    assert "refused: poster.gif: a image must be JPEG/JPG/PNG, not gif" in err
    calls = await (await sandbox.get("/sandbox/outbox", params={"api": "media/upload"})).json()
    assert calls == []
