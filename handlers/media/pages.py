"""素材库 in the console: the library with each item's kind, size, expiry state and uses, an
upload form (multipart, CSRF checked like every form) and a preview of images."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aiohttp import web

from bot.admin.audit import Audit
from bot.deps import Deps
from bot.live import RUNTIME
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, refusal, render, viewer
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from bot.wecom.media import MediaRefused
from handlers.media import service
from handlers.media.admin import state_of
from handlers.media.components import MEDIA_LIBRARY
from handlers.media.library import MediaItem

pages = Pages("media", Path(__file__).with_name("templates"))
ROOT: Final = "/console/media"
PAGE_SIZE: Final = 50
KINDS: Final = ("image", "voice", "video", "file")
KB: Final = 1024
MAX_CURSOR_DIGITS: Final = 9


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def size_text(size: int) -> str:
    """A size as people read it (B, KB, MB)."""
    if size < KB:
        return f"{size} B"
    if size < KB * KB:
        return f"{size / KB:.1f} KB"
    return f"{size / KB / KB:.1f} MB"


def remaining(seconds: int) -> str:
    """How long a temporary media_id still lasts, in days, hours and minutes."""
    t = zh_cn()
    days, rest = divmod(max(seconds, 0), 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    if days:
        return t("media.left_days", days=days, hours=hours)
    return t("media.left_hours", hours=hours, minutes=minutes)


async def _row(deps: Deps, item: MediaItem, now: int) -> dict[str, object]:
    return {
        "item": item,
        "size": size_text(item.size),
        "state": state_of(item, now),
        "left": remaining(item.media_expires_at - now) if item.temporary else "",
        "uses": sorted(await deps.get(MEDIA_LIBRARY).uses(item.id)),
    }


async def _listing(request: web.Request, *, status: int = 200, **shown: object) -> web.Response:
    deps = _deps(request)
    cursor = request.query.get("cursor", "")
    offset = int(cursor) if cursor.isdigit() and len(cursor) <= MAX_CURSOR_DIGITS else 0
    items, total = await deps.get(MEDIA_LIBRARY).listing(offset, PAGE_SIZE)
    now = int(deps.clock.now().timestamp())
    rows = [await _row(deps, item, now) for item in items]
    more = offset + len(items) < total
    return render(
        request,
        "media/library.html",
        {
            "nav": "media",
            "rows": rows,
            "total": total,
            "kinds": KINDS,
            "next_cursor": offset + PAGE_SIZE if more else None,
            "error": None,
            "notice": None,
            **shown,
        },
        status=status,
    )


@pages.get(ROOT)
async def media_list(request: web.Request) -> web.StreamResponse:
    """The library, newest first."""
    notice = "media.uploaded" if request.query.get("done") == "uploaded" else None
    return await _listing(request, notice=notice)


@pages.post(ROOT)
async def media_upload(request: web.Request) -> web.StreamResponse:
    """Upload a file from the form (field ``file``, optional ``kind``) to the library."""
    form, t = await request.post(), zh_cn()
    upload, kind = form.get("file"), str(form.get("kind", "")).strip() or None
    if not isinstance(upload, web.FileField) or not upload.filename:
        return await _listing(request, status=422, error=t("media.no_file"))
    if kind is not None and kind not in KINDS:
        return await _listing(request, status=422, error=t("media.bad_kind"))
    deps, actor = _deps(request), viewer(request).actor
    try:
        item = await service.upload(
            deps, upload.filename, upload.file.read(), kind=kind, actor=actor
        )
    except MediaRefused as exc:
        return await _listing(request, status=422, error=f"{t('media.refused')}{exc}")
    except (WeComAPIError, WeComUnavailable):
        return await _listing(request, status=502, error=t("media.upstream"))
    diff = {"name": item.name, "kind": item.kind}
    audit = Audit(deps.redis, deps.corp_id)
    await audit.record(deps.clock.now(), actor, f"POST {ROOT}", f"media:{item.id}", diff)
    raise web.HTTPSeeOther(f"{ROOT}?done=uploaded")


@pages.get(ROOT + "/{item_id}/preview")
async def media_preview(request: web.Request) -> web.StreamResponse:
    """An image item's bytes, shown inline (other kinds: 404)."""
    library = _deps(request).get(MEDIA_LIBRARY)
    item = await library.get(request.match_info["item_id"])
    content = await library.content(item.id) if item and item.kind == "image" else None
    if item is None or content is None:
        t = zh_cn()
        return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return web.Response(body=content, content_type=item.content_type, headers=headers)
