"""Media: media/upload, media/uploadimg and media/get (docs 90253, 90256, 90254), with WeCom's
type and size limits and the 3-day life of temporary media on the sandbox clock.

- ``media/upload?type=image|voice|video|file`` (multipart ``media``) → ``media_id``, valid
  3 days: image ≤10 MB JPG/PNG, voice ≤2 MB AMR, video ≤10 MB MP4, file ≤20 MB, all >5 bytes.
- ``media/uploadimg`` (multipart ``media``) → a permanent ``url`` served by the sandbox under
  ``/sandbox/media/{name}`` (JPG/PNG ≤2 MB; unverified: some docs say 10 MB).
- GET ``media/get?media_id`` → the bytes, or 40007 for an unknown or expired media_id.

The limits are the sandbox's own copy (it stands for WeCom; bot/wecom/media.py is siyu's).
Messages that carry a media_id this sandbox issued are refused with 40007 once it expired
(``check_attachments``); a media_id it never issued is let through, as hand-written tests use
made-up ones (WeCom would refuse it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Final

from aiohttp import web

from bot.sandbox.api.dispatch import RAW_BODY, Call, Endpoint, FilePart, RawBody
from bot.sandbox.errcodes import ApiError, invalid
from bot.sandbox.records import Json, JsonMap, MediaFile
from bot.sandbox.state import new_id
from bot.sandbox.world import WORLD

TEMPORARY: Final = timedelta(days=3)
MIN_BYTES: Final = 6
MB: Final = 1024 * 1024
# WeCom's media errcodes (unverified: from the global error-code page, doc 90313).
INVALID_MEDIA_TYPE: Final = 40004
INVALID_FILE_TYPE: Final = 40005
INVALID_FILE_SIZE: Final = 40006
INVALID_MEDIA_ID: Final = 40007
INVALID_IMAGE_SIZE: Final = 40009
INVALID_VOICE_SIZE: Final = 40010
INVALID_VIDEO_SIZE: Final = 40011
_LIMITS: Final[dict[str, tuple[int, frozenset[str], int]]] = {  # bytes, suffixes, size errcode
    "image": (10 * MB, frozenset({"jpg", "jpeg", "png"}), INVALID_IMAGE_SIZE),
    "voice": (2 * MB, frozenset({"amr"}), INVALID_VOICE_SIZE),
    "video": (10 * MB, frozenset({"mp4"}), INVALID_VIDEO_SIZE),
    "file": (20 * MB, frozenset(), INVALID_FILE_SIZE),
}
UPLOADIMG_BYTES: Final = 2 * MB
MAX_BODY_BYTES: Final = 21 * MB  # the biggest upload (a 20 MB file) and its form around it
MEDIA_PATH: Final = "/sandbox/media"
_MEDIA_PARTS: Final = {
    "image": "media_id",
    "video": "media_id",
    "file": "media_id",
    "miniprogram": "pic_media_id",
}


def _file(call: Call) -> FilePart:
    part = call.params.raw.get("media")
    if not isinstance(part, FilePart):
        raise invalid("media is required: a multipart file field named media")
    return part


def _check(part: FilePart, kind: str, limit: int | None = None) -> None:
    most, suffixes, size_errcode = _LIMITS[kind]
    most = limit or most
    _, dot, suffix = part.filename.rpartition(".")
    suffix = suffix.lower() if dot else ""
    if suffixes and suffix not in suffixes:
        allowed = "/".join(sorted(suffixes))
        raise ApiError(INVALID_FILE_TYPE, f"invalid file type: {kind} must be {allowed}")
    if len(part.content) > most:
        raise ApiError(size_errcode, f"invalid {kind} size: {len(part.content)} > {most} bytes")
    if len(part.content) < MIN_BYTES:
        raise ApiError(INVALID_FILE_SIZE, "invalid file size: at least 6 bytes")


def upload(call: Call) -> Json:
    """POST media/upload?type=…: a temporary media, valid 3 days on the sandbox clock."""
    kind = call.params.opt_text("type")
    if kind not in _LIMITS:
        raise ApiError(INVALID_MEDIA_TYPE, f"invalid media type: {kind!r}")
    part = _file(call)
    _check(part, kind)
    media_id = new_id("3sbx", 48)
    call.corp.media[media_id] = MediaFile(
        media_id,
        kind,
        part.filename,
        part.content_type,
        part.content,
        call.now,
        call.now + TEMPORARY,
    )
    return {"type": kind, "media_id": media_id, "created_at": str(int(call.now.timestamp()))}


def upload_image(call: Call) -> Json:
    """POST media/uploadimg: a permanent image URL (JPG/PNG ≤2 MB), served by the sandbox."""
    part = _file(call)
    _check(part, "image", UPLOADIMG_BYTES)
    _, _, suffix = part.filename.rpartition(".")
    name = f"{new_id('img', 32)}.{suffix.lower()}"
    call.corp.images[name] = MediaFile(
        name, "image", part.filename, part.content_type, part.content, call.now, None
    )
    return {"url": f"{call.origin}{MEDIA_PATH}/{name}"}


def live_media(call: Call, media_id: str) -> MediaFile:
    """The temporary media ``media_id`` if it has not expired, else 40007."""
    found = call.corp.media.get(media_id)
    if found is None:
        raise ApiError(INVALID_MEDIA_ID, f"invalid media_id: {media_id}")
    if found.expires_at is not None and call.now >= found.expires_at:
        raise ApiError(INVALID_MEDIA_ID, f"invalid media_id: {media_id} expired (3 days)")
    return found


def get(call: Call) -> Json:
    """GET media/get?media_id: the bytes of a temporary media."""
    found = live_media(call, call.params.text("media_id"))
    return {RAW_BODY: RawBody(found.content, found.content_type, found.filename)}


def check_attachments(call: Call, attachments: Iterable[JsonMap]) -> None:
    """40007 if an attachment carries a media_id this sandbox issued and that expired."""
    for attachment in attachments:
        kind = attachment.get("msgtype")
        body = attachment.get(str(kind))
        field = _MEDIA_PARTS.get(str(kind))
        if field is None or not isinstance(body, dict):
            continue
        media_id = body.get(field)
        if isinstance(media_id, str) and media_id.startswith("3sbx"):
            live_media(call, media_id)


async def serve_image(request: web.Request) -> web.Response:
    """GET /sandbox/media/{name}: a permanent image from media/uploadimg."""
    found = request.app[WORLD].corp.images.get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound(text="no such image")
    return web.Response(body=found.content, content_type=found.content_type)


ENDPOINTS = (
    Endpoint("media/upload", "POST", upload),
    Endpoint("media/uploadimg", "POST", upload_image),
    Endpoint("media/get", "GET", get),
)
routes = [web.get(MEDIA_PATH + "/{name}", serve_image)]
