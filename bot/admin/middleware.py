"""The /api/v1 middleware: every refusal in the error shape, aiohttp's own included."""

from __future__ import annotations

from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.admin.errors import ApiError, error_response

PREFIX: Final = "/api/v1"


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer ApiError and aiohttp's HTTP errors under /api/v1 as ``{"error": {...}}``."""
    if not request.path.startswith(PREFIX):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except web.HTTPException as exc:
        if exc.status < 400:  # noqa: PLR2004 - redirects pass
            raise
        message = exc.reason if exc.status != 404 else "no such route"  # noqa: PLR2004
        headers = {k: v for k, v in exc.headers.items() if k in {"Allow", "Retry-After"}}
        return error_response(exc.status, message, headers=headers)
