"""Who is asking: OAuth2 snsapi_base (doc 91022/91023) into a signed session cookie.

A sidebar page without a session (handlers/sidebar/pages.py) redirects to WeCom's authorize
page with a one-time ``state`` (kept in Redis for 5 minutes, the code's lifetime); the
callback checks the state once, turns the code into a userid with auth/getuserinfo (WeCom:
once, 5 minutes) and sets the session.
Only members of the corp get one: a customer opening the URL gets 403.
"""

from __future__ import annotations

import logging
import secrets
from typing import Final
from urllib.parse import urlencode

from aiohttp import web

from bot.deps import Deps
from bot.live import RUNTIME
from bot.store import keys
from bot.web.catalog import zh_cn
from bot.wecom.auth import AuthAPI
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.sidebar.session import COOKIE, CSRF_HEADER, Session, csrf_token, seal, unseal
from handlers.sidebar.shell import shell

logger = logging.getLogger(__name__)

ROOT: Final = "/sidebar/"
CALLBACK: Final = "/sidebar/oauth/callback"
STATE_SECONDS: Final = 300  # as long as WeCom's code lives (doc 91023)

routes = web.RouteTableDef()


def deps_of(request: web.Request) -> Deps:
    """siyu's handler dependencies."""
    return request.app[RUNTIME].deps


def secret_of(deps: Deps) -> bytes:
    """The session key (empty: the sidebar is off)."""
    return deps.settings.sidebar.session_secret.get_secret_value().encode()


def staff_of(request: web.Request) -> str | None:
    """The signed-in staff member, from a valid session cookie."""
    deps = deps_of(request)
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    session = unseal(value, secret_of(deps), int(deps.clock.now().timestamp()))
    return session.userid if session else None


def csrf_of(request: web.Request) -> str:
    """The signed-in session's CSRF token ("" without a session cookie)."""
    value, secret = request.cookies.get(COOKIE), secret_of(deps_of(request))
    return csrf_token(value, secret) if value and secret else ""


def csrf_ok(request: web.Request) -> bool:
    """Whether a POST carries its session's CSRF token (header X-CSRF-Token)."""
    expected = csrf_of(request)
    sent = request.headers.get(CSRF_HEADER, "")
    return bool(expected) and secrets.compare_digest(sent.encode(), expected.encode())


def public_base(request: web.Request, deps: Deps) -> str:
    """The sidebar's origin as WeCom sees it (the app's trusted domain)."""
    configured = deps.settings.sidebar.public_url.rstrip("/")
    return configured or f"{request.scheme}://{request.host}"


def authorize_url(deps: Deps, redirect_uri: str, state: str) -> str:
    """WeCom's authorize URL for snsapi_base (doc 91022)."""
    sidebar = deps.settings.sidebar
    agent = deps.api(sidebar.app).client.agent_id
    query = {
        "appid": deps.corp_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "snsapi_base",
        "state": state,
        "agentid": str(agent or ""),
    }
    return f"{sidebar.authorize_url}?{urlencode(query)}#wechat_redirect"


def _redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location})


async def sign_in(request: web.Request, deps: Deps) -> web.StreamResponse:
    """Off to WeCom's authorize page with a one-time ``state`` that brings the member back."""
    state = secrets.token_urlsafe(18)
    back = request.path_qs
    await deps.redis.set(keys.sidebar_oauth_state(deps.corp_id, state), back, ex=STATE_SECONDS)
    redirect = public_base(request, deps) + CALLBACK
    return _redirect(authorize_url(deps, redirect, state))


@routes.get(CALLBACK)
async def callback(request: web.Request) -> web.StreamResponse:
    """WeCom's redirect back: one-time state, one-time code → the session cookie."""
    deps = deps_of(request)
    secret = secret_of(deps)
    state, code = request.query.get("state", ""), request.query.get("code", "")
    back = await deps.redis.getdel(keys.sidebar_oauth_state(deps.corp_id, state)) if state else None
    if not secret or back is None or not code:
        return shell(request, deps, {}, zh_cn()("sidebar.sign_in_expired"), 403)
    api = deps.api(deps.settings.sidebar.app)
    try:
        visitor = await AuthAPI(api.client).visitor(code)
    except WeComAPIError as exc:
        logger.info("sidebar sign-in refused: errcode %s", exc.errcode)
        return shell(request, deps, {}, zh_cn()("sidebar.sign_in_refused"), 403)
    except WeComUnavailable:
        return shell(request, deps, {}, zh_cn()("sidebar.unavailable"), 503)
    if not visitor.is_member:
        return shell(request, deps, {}, zh_cn()("sidebar.members_only"), 403)
    hours = deps.settings.sidebar.session_hours
    expires = int(deps.clock.now().timestamp() + hours * 3600)
    response = _redirect(str(back) if str(back).startswith(ROOT) else ROOT)
    response.set_cookie(
        COOKIE,
        seal(Session(visitor.userid, expires), secret),
        path=ROOT,
        max_age=int(hours * 3600),
        httponly=True,
        samesite="Lax",
        secure=deps.settings.sidebar.cookie_secure,
    )
    return response
