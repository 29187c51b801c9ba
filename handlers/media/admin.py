"""/api/v1/media: the media library over HTTP.

``POST /api/v1/media`` takes ``multipart/form-data`` with one file field ``file`` (and an
optional ``kind``: image, voice, video, file; by default from the suffix). WeCom's limits are
checked before anything is stored or sent: a refusal is 422 in the one error shape, naming
the limit. ``GET`` lists items (newest first) with their expiry state; ``/content`` answers
the bytes; ``DELETE`` removes an item (rules that still name it leave it out when sending).
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, Field

from bot.admin.endpoints import Endpoints, path_params, principal, query, record_change
from bot.admin.errors import ApiError, not_found, upstream
from bot.deps import Deps
from bot.live import RUNTIME
from bot.wecom.errors import RateLimited, WeComAPIError, WeComUnavailable
from bot.wecom.media import MAX_BYTES, MediaRefused
from handlers.media import service
from handlers.media.components import MEDIA_LIBRARY
from handlers.media.library import MediaItem

routes = Endpoints()
_MAX_UPLOAD = max(MAX_BYTES.values())
_TAGS = ("media",)


class MediaPath(BaseModel):
    """One library item."""

    item_id: str = Field(pattern=r"^m[0-9a-f]{12}$", min_length=13, max_length=13)


class MediaListQuery(BaseModel):
    """A page of the library."""

    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, pattern=r"^[0-9]{1,9}$")


class MediaOut(BaseModel):
    """A library item: what it is, its WeCom side and how long that lasts, where it was used."""

    id: str
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    created_at: int
    created_by: str
    reference: dict[str, str]  # what to put in an attachment: {"library": id}
    pic_url: str | None  # permanent (media/uploadimg)
    media_id: str | None  # temporary (media/upload), re-uploaded before it expires
    expires_at: int | None
    state: Literal["permanent", "fresh", "renewing", "expired"]
    used_by: dict[str, int]  # where it was sent → last time


class MediaPage(BaseModel):
    """One page of the library."""

    total: int
    items: list[MediaOut]
    next_cursor: str | None


def state_of(item: MediaItem, now: int) -> Literal["permanent", "fresh", "renewing", "expired"]:
    """Where an item's WeCom side stands at ``now``."""
    if not item.temporary:
        return "permanent"
    if item.media_expires_at <= now:
        return "expired"
    renew_at = item.media_created_at + int(service.RENEW_AFTER.total_seconds())
    return "renewing" if now >= renew_at else "fresh"


async def _out(deps: Deps, item: MediaItem) -> dict[str, object]:
    now = int(deps.clock.now().timestamp())
    return {
        "id": item.id,
        "name": item.name,
        "kind": item.kind,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "created_at": item.created_at,
        "created_by": item.created_by,
        "reference": {"library": item.id},
        "pic_url": item.pic_url or None,
        "media_id": item.media_id or None,
        "expires_at": item.media_expires_at or None,
        "state": state_of(item, now),
        "used_by": await deps.get(MEDIA_LIBRARY).uses(item.id),
    }


async def _read_upload(request: web.Request) -> tuple[str, bytes, str | None]:
    """The multipart ``file`` (name, bytes) and ``kind``; 400/413/422 when it is not there."""
    if not request.content_type.startswith("multipart/"):
        raise ApiError(400, "send the file as multipart/form-data, in a field named file")
    reader = await request.multipart()
    name, content, kind = "", b"", None
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file" and part.filename:
            name, content = part.filename, await _read_capped(part)
        elif part.name == "kind":
            kind = (await part.text()).strip() or None
    if not name:
        raise ApiError(422, "no file: send it in a multipart field named file")
    return name, content, kind


async def _read_capped(part: BodyPartReader) -> bytes:
    chunks, size = [], 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > _MAX_UPLOAD:
            raise ApiError(
                413,
                f"the file is over {_MAX_UPLOAD // 1024 // 1024} MB, "
                "more than WeCom takes of any media type",
            )
        chunks.append(chunk)
    return b"".join(chunks)


@routes.post(
    "/api/v1/media", answer=MediaOut, status=201, errors=(400, 413, 422, 429, 502, 503), tags=_TAGS
)
async def upload_media(request: web.Request) -> web.Response:
    """Upload an image or a file to the library (multipart field ``file``, optional ``kind``)."""
    deps: Deps = request.app[RUNTIME].deps
    name, content, kind = await _read_upload(request)
    try:
        item = await service.upload(deps, name, content, kind=kind, actor=principal(request).actor)
    except MediaRefused as exc:
        raise ApiError(422, str(exc)) from exc
    except RateLimited as exc:
        raise ApiError(429, f"WeCom: {exc}; try again in a minute") from exc
    except WeComAPIError as exc:
        raise upstream(exc, 502) from exc
    except WeComUnavailable as exc:
        raise upstream(exc) from exc
    record_change(request, f"media:{item.id}", {"name": name, "kind": item.kind})
    return web.json_response(await _out(deps, item), status=201)


@routes.get("/api/v1/media", query=MediaListQuery, answer=MediaPage, tags=_TAGS)
async def list_media(request: web.Request) -> web.Response:
    """The library, newest first, with each item's expiry state."""
    deps: Deps = request.app[RUNTIME].deps
    asked = query(request, MediaListQuery)
    offset = int(asked.cursor or 0)
    items, total = await deps.get(MEDIA_LIBRARY).listing(offset, asked.limit)
    more = offset + len(items) < total
    return web.json_response(
        {
            "total": total,
            "items": [await _out(deps, item) for item in items],
            "next_cursor": str(offset + asked.limit) if more else None,
        }
    )


async def _item(request: web.Request) -> tuple[Deps, MediaItem]:
    deps: Deps = request.app[RUNTIME].deps
    item = await deps.get(MEDIA_LIBRARY).get(path_params(request, MediaPath).item_id)
    if item is None:
        raise not_found("media")
    return deps, item


@routes.get("/api/v1/media/{item_id}", path_model=MediaPath, answer=MediaOut, tags=_TAGS)
async def get_media(request: web.Request) -> web.Response:
    """One library item."""
    deps, item = await _item(request)
    return web.json_response(await _out(deps, item))


@routes.get("/api/v1/media/{item_id}/content", path_model=MediaPath, tags=_TAGS)
async def get_media_content(request: web.Request) -> web.Response:
    """The item's bytes, as uploaded."""
    deps, item = await _item(request)
    content = await deps.get(MEDIA_LIBRARY).content(item.id)
    if content is None:
        raise not_found("media")
    disposition = (
        f"attachment; filename=\"{item.id}\"; filename*=UTF-8''{quote(item.name, safe='')}"
    )
    return web.Response(
        body=content, content_type=item.content_type, headers={"Content-Disposition": disposition}
    )


@routes.delete("/api/v1/media/{item_id}", path_model=MediaPath, status=204, tags=_TAGS)
async def delete_media(request: web.Request) -> web.Response:
    """Remove an item (rules still naming it leave it out when sending)."""
    _, item = await _item(request)
    deps: Deps = request.app[RUNTIME].deps
    await deps.get(MEDIA_LIBRARY).delete(item.id)
    record_change(request, f"media:{item.id}", {"deleted": item.name})
    return web.Response(status=204)
