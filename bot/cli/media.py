"""``siyu media upload FILE``: add an image or a file to the media library.

Images up to 2 MB get a permanent pic_url (media/uploadimg); files, videos, voice and larger
images a temporary media_id that the workers re-upload before its 3 days run out. WeCom's
type and size limits are checked before anything is sent. Prints the item and the reference
to put in a rule's attachment, ``{"library": "<id>"}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.settings import Settings
    from handlers.media.library import MediaItem

Result = tuple[int, list[str]]
KINDS = ("image", "voice", "video", "file")


def add_media_arguments(
    parser: argparse.ArgumentParser, add_config: Callable[[argparse.ArgumentParser], None]
) -> None:
    """``siyu media upload FILE [--kind K] [--json]``."""
    actions = parser.add_subparsers(dest="media_command", required=True, metavar="ACTION")
    upload = actions.add_parser("upload", help="add an image or a file to the media library")
    add_config(upload)
    upload.add_argument("file", type=Path, help="the file (JPG/PNG images, MP4, AMR, any file)")
    upload.add_argument("--kind", choices=KINDS, help="media type (default: by the suffix)")
    upload.add_argument("--json", action="store_true", help="print the item as JSON")


def run_media(settings: Settings, args: argparse.Namespace) -> Result:
    """Run one ``siyu media`` action."""
    path: Path = args.file
    try:
        content = path.read_bytes()
    except OSError as exc:
        return 1, [f"siyu media: cannot read {path}: {exc.strerror or exc}"]
    return asyncio.run(_upload(settings, path.name, content, args.kind, as_json=args.json))


async def _upload(
    settings: Settings, name: str, content: bytes, kind: str | None, *, as_json: bool
) -> Result:
    # imported here: `siyu --help` does not load the runtime (noqa: PLC0415 below)
    from bot.clock import SystemClock  # noqa: PLC0415
    from bot.metrics import Metrics  # noqa: PLC0415
    from bot.runtime import running  # noqa: PLC0415
    from bot.wecom.errors import WeComAPIError, WeComUnavailable  # noqa: PLC0415
    from bot.wecom.media import MediaRefused  # noqa: PLC0415
    from handlers import build_components  # noqa: PLC0415
    from handlers.media import service  # noqa: PLC0415

    lifetime = running(settings, SystemClock(), None, Metrics(), components=build_components)
    async with lifetime as runtime:
        try:
            item = await service.upload(runtime.deps, name, content, kind=kind, actor="cli")
        except MediaRefused as exc:
            return 1, [f"siyu media: refused: {exc}"]
        except (WeComAPIError, WeComUnavailable) as exc:
            return 1, [f"siyu media: WeCom did not take it: {exc}"]
    return 0, _shown(item, as_json=as_json)


def _shown(item: MediaItem, *, as_json: bool) -> list[str]:
    reference = {"library": item.id}
    if as_json:
        shown = {
            "id": item.id,
            "name": item.name,
            "kind": item.kind,
            "size": item.size,
            "pic_url": item.pic_url or None,
            "media_id": item.media_id or None,
            "expires_at": item.media_expires_at or None,
            "reference": reference,
        }
        return [json.dumps(shown, ensure_ascii=False)]
    wecom = (
        f"pic_url {item.pic_url} (permanent)"
        if item.pic_url
        else f"media_id {item.media_id} (re-uploaded every 2 days)"
    )
    return [
        f"{item.id}  {item.kind}  {item.size} bytes  {item.name}",
        wecom,
        f"use it in an attachment as {json.dumps(reference)}",
        item.id,
    ]
