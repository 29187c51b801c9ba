"""/console/login and /console/logout: operator accounts (bot/admin) in a browser."""

from __future__ import annotations

from aiohttp import web

from bot.admin.accounts import Accounts, LoginThrottle
from bot.admin.auth import SESSION_COOKIE
from bot.admin.roles import Role
from bot.live import RUNTIME
from bot.web.catalog import zh_cn
from bot.web.pages import PREFIX, Pages, render
from bot.web.session import clear_session, current, sessions, set_session

pages = Pages("web")


def _next(request: web.Request) -> str:
    """Where to go after logging in: a console path only (no open redirect)."""
    target = request.query.get("next", "")
    ok = target.startswith(f"{PREFIX}/") and not target.startswith("//")
    return target if ok else f"{PREFIX}/"


def _blank(request: web.Request) -> dict[str, str | None]:
    return {"next": _next(request), "name": "", "error": None, "notice": None}


@pages.get(f"{PREFIX}/login", role=None)
async def login_form(request: web.Request) -> web.StreamResponse:
    """The login form (or on to the console if already logged in)."""
    if await current(request) is not None:
        raise web.HTTPSeeOther(_next(request))
    notice = zh_cn()("login.logged_out") if "out" in request.query else None
    return render(request, "login.html", {**_blank(request), "notice": notice})


@pages.post(f"{PREFIX}/login", role=None)
async def login(request: web.Request) -> web.StreamResponse:
    """Check the account (throttled like POST /api/v1/session), open a session, set the cookie."""
    runtime, form = request.app[RUNTIME], await request.post()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    corp, settings = runtime.settings.wecom.corp_id, runtime.settings.admin
    throttle = LoginThrottle(runtime.redis, corp, settings)
    address = request.remote or "unknown"
    t, shown = zh_cn(), {**_blank(request), "name": name}
    wait = await throttle.wait_seconds(name, address)
    if wait:
        return render(
            request,
            "login.html",
            {**shown, "error": t("login.throttled", seconds=wait)},
            status=429,
        )
    account = await Accounts(runtime.redis, corp).verify(name, password)
    if account is None:
        await throttle.failed(name, address)
        return render(request, "login.html", {**shown, "error": t("login.wrong")}, status=401)
    await throttle.succeeded(name)
    session = await sessions(request).open(account, runtime.deps.clock.now())
    response = web.HTTPSeeOther(_next(request))
    set_session(request, response, session.token)
    raise response


@pages.post(f"{PREFIX}/logout", role=Role.VIEWER)
async def logout(request: web.Request) -> web.StreamResponse:
    """End the session and forget the cookie."""
    await sessions(request).close(request.cookies.get(SESSION_COOKIE, ""))
    response = web.HTTPSeeOther(f"{PREFIX}/login?out=1")
    clear_session(response)
    raise response
