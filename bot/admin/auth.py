"""Bearer-token check for /api/v1 (constant time), as an aiohttp middleware."""

from __future__ import annotations

import secrets
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from config.settings import AdminSettings

API_PREFIX: Final = "/api/v1"


def admin_auth(settings: AdminSettings) -> Middleware:
    """A middleware refusing /api/v1 requests without the configured bearer token."""
    expected = settings.token.get_secret_value().encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        if not expected:
            return error(403, "the admin API is off: set [admin] token (SIYU_ADMIN__TOKEN)")
        given = request.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.encode(), expected):
            return error(401, "missing or wrong bearer token")
        return await handler(request)

    return check


def error(status: int, reason: str) -> web.Response:
    """A JSON error answer."""
    return web.json_response({"error": reason}, status=status)
