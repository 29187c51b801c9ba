"""The sidebar's page shell: the one template, with the JS-SDK to load and, when the page
cannot be shown, the reason in Chinese (sign-in refused, the sidebar off, WeCom away)."""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web

from bot.deps import Deps
from bot.web.catalog import zh_cn

STATIC: Final = "/sidebar/static"
WECOM_HOST: Final = "qyapi.weixin.qq.com"
# WeCom's JS-SDK: jweixin for wx.config, jwxwork for wx.agentConfig (doc 90514, 94325).
WECOM_SDK: Final = (
    "https://res.wx.qq.com/open/js/jweixin-1.2.0.js",
    "https://open.work.weixin.qq.com/wwopen/js/jwxwork-1.0.0.js",
)


def sdk_scripts(api_base: str) -> tuple[str, ...]:
    """WeCom's JS-SDK, or the sandbox's stand-in when siyu's WeCom (``api_base``) is not
    WeCom's but the sandbox's."""
    base = urlsplit(api_base)
    if base.hostname == WECOM_HOST:
        return WECOM_SDK
    return (f"{base.scheme}://{base.netloc}/sandbox/jssdk.js",)


def shell(
    request: web.Request, deps: Deps, booted: dict[str, Any], error: str, status: int
) -> web.Response:
    """The page: the card's shell for ``booted``, or ``error`` alone."""
    shown = {
        "t": zh_cn(),
        "boot": booted,
        "error": error,
        "static": STATIC,
        "sdk": sdk_scripts(deps.settings.wecom.api_base),
        "kind": booted.get("kind", ""),
    }
    response = aiohttp_jinja2.render_template("sidebar/page.html", request, shown, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
