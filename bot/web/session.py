"""The console's login: a session cookie over bot/admin's accounts and sessions, and CSRF.

The session cookie holds a session token of ``bot.admin.accounts.Sessions`` (HttpOnly,
SameSite=Lax, Secure when ``[admin] secure_cookies``). Every form carries a CSRF token equal to
a second random cookie (double submit): another site can make the browser send the cookie but
can neither read it nor set the form field to match.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Final

from aiohttp import web

from bot.admin.accounts import Sessions
from bot.admin.auth import SESSION_COOKIE
from bot.admin.roles import Principal
from bot.live import RUNTIME

CSRF_COOKIE: Final = "siyu_csrf"
CSRF_FIELD: Final = "csrf"
PATH: Final = "/"  # /console/ pages and the /api/v1 JSON their charts fetch

_CSRF: Final = web.RequestKey("console_csrf", str)


def sessions(request: web.Request) -> Sessions:
    """The corp's login sessions."""
    runtime = request.app[RUNTIME]
    return Sessions(runtime.redis, runtime.settings.wecom.corp_id, runtime.settings.admin)


async def current(request: web.Request) -> Principal | None:
    """Who the session cookie belongs to, if it is a live session."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return await sessions(request).check(token) if token else None


def _secure(request: web.Request) -> bool:
    return request.app[RUNTIME].settings.admin.secure_cookies


def set_session(request: web.Request, response: web.StreamResponse, token: str) -> None:
    """Give the browser its session cookie (until the browser closes; the session expires
    server-side after ``[admin] session_hours``)."""
    response.set_cookie(
        SESSION_COOKIE, token, path=PATH, httponly=True, samesite="Lax", secure=_secure(request)
    )


def clear_session(response: web.StreamResponse) -> None:
    """Forget the session cookie."""
    response.del_cookie(SESSION_COOKIE, path=PATH)


def csrf_token(request: web.Request) -> str:
    """The CSRF token of this browser (made on first use; ``keep_csrf`` stores it)."""
    token = request.get(_CSRF) or request.cookies.get(CSRF_COOKIE, "")
    if not token:
        token = secrets.token_urlsafe(24)
    request[_CSRF] = token
    return token


def keep_csrf(request: web.Request, response: web.StreamResponse) -> None:
    """Store a CSRF token made for this request in its cookie."""
    made = request.get(_CSRF)
    if made and made != request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE, made, path=PATH, httponly=True, samesite="Strict", secure=_secure(request)
        )


def csrf_ok(request: web.Request, form: Mapping[str, object]) -> bool:
    """Whether the form's CSRF field matches this browser's CSRF cookie."""
    cookie, sent = request.cookies.get(CSRF_COOKIE, ""), form.get(CSRF_FIELD, "")
    return bool(cookie) and isinstance(sent, str) and secrets.compare_digest(cookie, sent)
