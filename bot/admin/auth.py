"""Who is calling /api/v1: ``Authorization: Bearer`` with an API key, a session token from
``POST /api/v1/session``, or the legacy ``[admin] token`` (an admin key); for reads, also the
console's session cookie."""

from __future__ import annotations

import secrets
from typing import Final

from aiohttp import web

from bot.admin.accounts import Sessions
from bot.admin.apikeys import ApiKeys
from bot.admin.errors import ApiError
from bot.admin.roles import Principal, Role
from bot.live import RUNTIME

# The console's session cookie (bot/web/): its value is a session token. /api/v1 takes it for
# reads only, so a page can fetch JSON; writes need the bearer header (no CSRF exposure).
SESSION_COOKIE: Final = "siyu_session"
READS: Final = frozenset({"GET", "HEAD"})
_HINT = "send Authorization: Bearer KEY (create one with `siyu apikey create --role viewer`)"


def bearer(request: web.Request) -> str:
    """The bearer credential of the request, or ''."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    return credential.strip() if scheme.lower() == "bearer" else ""


async def authenticate(request: web.Request) -> Principal:
    """The caller (401 in the error shape if the credential is missing or wrong)."""
    credential = bearer(request)
    if not credential and request.method in READS:
        credential = request.cookies.get(SESSION_COOKIE, "")
    if not credential:
        raise ApiError(401, f"no credentials: {_HINT}", headers={"WWW-Authenticate": "Bearer"})
    found = await identify(request, credential)
    if found is None:
        raise ApiError(
            401,
            "unknown, revoked or expired credentials",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return found


async def identify(request: web.Request, credential: str) -> Principal | None:
    """Whose key, session or token ``credential`` is."""
    runtime = request.app[RUNTIME]
    settings, corp = runtime.settings, runtime.settings.wecom.corp_id
    legacy = settings.admin.token.get_secret_value()
    if legacy and secrets.compare_digest(credential.encode(), legacy.encode()):
        return Principal("token", Role.ADMIN)
    api_keys = ApiKeys(runtime.redis, corp)
    key = await api_keys.check(credential)
    if key is not None:
        await api_keys.mark_used(key.key_id, runtime.deps.clock.now())
        return Principal(f"key:{key.key_id}", key.role)
    return await Sessions(runtime.redis, corp, settings.admin).check(credential)
