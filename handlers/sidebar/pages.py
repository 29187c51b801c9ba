"""The sidebar's pages: /sidebar/ (a chat with a customer) and /sidebar/group (a group chat).

A page is the shell and its JS-SDK signatures: signed server-side for the page's own URL,
so the handshake (wx.config, wx.agentConfig, getCurExternalContact/getCurExternalChat)
needs no request to siyu, and the first paint needs one: the card (with the 话术库). The
page's script (static/sidebar.js, an Alpine component) fills the card in and sends the
actions to /sidebar/api/. Production pages load WeCom's JS-SDK; a siyu whose WeCom is the
sandbox (``[wecom] api_base`` elsewhere than WeCom's) loads the sandbox's stand-in.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Final

from aiohttp import web

from bot.deps import Deps
from bot.web.catalog import zh_cn
from bot.web.pages import Pages
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from bot.wecom.jssdk import sign
from handlers.sidebar import access
from handlers.sidebar.components import TICKETS
from handlers.sidebar.identity import csrf_of, deps_of, public_base, secret_of, sign_in, staff_of
from handlers.sidebar.shell import STATIC, shell

HERE: Final = Path(__file__).parent
GROUP_PAGE: Final = "/sidebar/group"
JS_APIS: Final = ("getContext", "getCurExternalContact", "getCurExternalChat", "sendChatMessage")

routes = web.RouteTableDef()
routes.static(STATIC, HERE / "static")
# The templates folder, registered with the console's Jinja2 environment (no routes here).
templates = Pages("sidebar", HERE / "templates")


async def boot(request: web.Request, deps: Deps, userid: str, kind: str) -> dict[str, Any]:
    """What the page's script starts from: who, which card, both signatures of this URL."""
    url = public_base(request, deps) + request.path_qs
    api = deps.api(deps.settings.sidebar.app)
    tickets = deps.get(TICKETS).of(api)
    corp_ticket, app_ticket = await tickets.corp.ticket(), await tickets.app.ticket()
    now = int(deps.clock.now().timestamp())
    return {
        "kind": kind,
        "userid": userid,
        "corp_id": deps.corp_id,
        "agent_id": api.client.agent_id,
        "all_customers": access.sees_all(deps.settings.sidebar, userid),
        "js_apis": list(JS_APIS),
        "csrf": csrf_of(request),
        "config": sign(corp_ticket, url, now).to_json(),
        "agent_config": sign(app_ticket, url, now).to_json(),
        "strings": {
            k.removeprefix("sidebar."): v
            for k, v in zh_cn().strings.items()
            if k.startswith("sidebar.")
        },
    }


async def page(request: web.Request, kind: str) -> web.StreamResponse:
    """The customer or group page for a signed-in member (else OAuth2 first)."""
    started = time.perf_counter()
    deps = deps_of(request)
    t = zh_cn()
    if not secret_of(deps):
        return shell(request, deps, {}, t("sidebar.off"), 403)
    userid = staff_of(request)
    if userid is None:
        return await sign_in(request, deps)
    try:
        booted = await boot(request, deps, userid, kind)
    except (WeComAPIError, WeComUnavailable, TimeoutError):
        return shell(request, deps, {}, t("sidebar.no_ticket"), 503)
    response = shell(request, deps, booted, "", 200)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


@routes.get("/sidebar/")
async def customer_page(request: web.Request) -> web.StreamResponse:
    """The sidebar in a chat with a customer (single_chat_tools, contact_profile)."""
    return await page(request, "customer")


@routes.get(GROUP_PAGE)
async def group_page(request: web.Request) -> web.StreamResponse:
    """The sidebar in a customer group's chat (group_chat_tools)."""
    return await page(request, "group")
