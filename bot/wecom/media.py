"""Media (素材): temporary uploads, permanent images, downloads (docs 90253, 90256, 90254).

``media/upload`` answers a ``media_id`` valid 3 days (temporary media); ``media/uploadimg``
answers a permanent URL on WeCom's image hosts, for images in messages; ``media/get`` gives
the bytes back (40007 once a media_id expired). WeCom's type and size limits are checked here
first (bot/wecom/bounds.py style: the numbers of wecom-spec §6), so a refusal names the limit
instead of an errcode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Literal

from bot.wecom.client import Endpoint, WeComClient

UPLOAD: Final = Endpoint("media/upload")
UPLOAD_IMAGE: Final = Endpoint("media/uploadimg")
GET: Final = Endpoint("media/get", method="GET")

MediaKind = Literal["image", "voice", "video", "file"]
TEMPORARY_LIFETIME: Final = timedelta(days=3)  # a media_id from media/upload (doc 90253)
MIN_BYTES: Final = 6  # "all > 5 bytes"
# Per type: the most bytes and the file suffixes WeCom takes (wecom-spec §6, doc 90253).
MAX_BYTES: Final[dict[str, int]] = {
    "image": 10 * 1024 * 1024,
    "voice": 2 * 1024 * 1024,
    "video": 10 * 1024 * 1024,
    "file": 20 * 1024 * 1024,
}
SUFFIXES: Final[dict[str, frozenset[str]]] = {
    "image": frozenset({"jpg", "jpeg", "png"}),
    "voice": frozenset({"amr"}),
    "video": frozenset({"mp4"}),
    "file": frozenset(),  # any
}
# media/uploadimg: JPG/PNG ≤2 MB (unverified: some versions of doc 90256 say 10 MB; the
# smaller is the safe one).
UPLOAD_IMAGE_MAX_BYTES: Final = 2 * 1024 * 1024
CONTENT_TYPES: Final[dict[str, str]] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "amr": "audio/amr",
    "mp4": "video/mp4",
}


class MediaRefused(ValueError):
    """A file WeCom would refuse: wrong type, too big, too small. The message says which."""


def suffix_of(filename: str) -> str:
    """The lower-case suffix of ``filename`` without the dot ('' if none)."""
    _, dot, suffix = filename.rpartition(".")
    return suffix.lower() if dot else ""


def content_type_of(filename: str) -> str:
    """The content type to upload ``filename`` with."""
    return CONTENT_TYPES.get(suffix_of(filename), "application/octet-stream")


def check(kind: str, filename: str, size: int, *, permanent_image: bool = False) -> None:
    """Raise MediaRefused unless WeCom takes a ``kind`` file of this name and size."""
    if kind not in MAX_BYTES:
        raise MediaRefused(f"type {kind!r}: WeCom takes image, voice, video or file")
    allowed = SUFFIXES[kind]
    suffix = suffix_of(filename)
    if allowed and suffix not in allowed:
        shown = "/".join(sorted(s.upper() for s in allowed))
        raise MediaRefused(f"{filename}: a {kind} must be {shown}, not {suffix or 'no suffix'}")
    limit = UPLOAD_IMAGE_MAX_BYTES if permanent_image else MAX_BYTES[kind]
    if size > limit:
        raise MediaRefused(
            f"{filename}: {size} bytes; WeCom takes a {kind} of at most {limit // 1024 // 1024} MB"
        )
    if size < MIN_BYTES:
        raise MediaRefused(f"{filename}: {size} bytes; WeCom takes files over 5 bytes")


@dataclass(frozen=True, slots=True)
class Uploaded:
    """A temporary upload: its media_id and when WeCom made it (Unix seconds)."""

    media_id: str
    created_at: int


class MediaAPI:
    """media/upload, media/uploadimg and media/get as one app."""

    def __init__(self, client: WeComClient) -> None:
        self._client = client

    async def upload(self, kind: str, filename: str, content: bytes) -> Uploaded:
        """A temporary upload (3 days): its media_id."""
        check(kind, filename, len(content))
        file = (filename, content, content_type_of(filename))
        answer = await self._client.exchange(
            UPLOAD,
            lambda token: self._client.transport.upload(
                UPLOAD.api, {"access_token": token, "type": kind}, "media", file
            ),
        )
        return Uploaded(str(answer["media_id"]), int(answer.get("created_at") or 0))

    async def upload_image(self, filename: str, content: bytes) -> str:
        """A permanent image for messages (JPG/PNG ≤2 MB): its URL on WeCom's hosts."""
        check("image", filename, len(content), permanent_image=True)
        file = (filename, content, content_type_of(filename))
        answer = await self._client.exchange(
            UPLOAD_IMAGE,
            lambda token: self._client.transport.upload(
                UPLOAD_IMAGE.api, {"access_token": token}, "media", file
            ),
        )
        return str(answer["url"])

    async def get(self, media_id: str) -> bytes:
        """A temporary media's bytes (InvalidMediaId once it expired)."""
        return await self._client.exchange(
            GET,
            lambda token: self._client.transport.download(
                GET.api, {"access_token": token, "media_id": media_id}
            ),
        )
