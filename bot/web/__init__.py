"""The operator console, ``/console/``: server-rendered pages in Simplified Chinese.

This package is the plumbing: the Jinja2 environment (aiohttp-jinja2), the one string catalog
(``zh_CN.toml``), login by session cookie over bot/admin's accounts, CSRF on every form,
role-aware pages (``pages``), the layout, vendored static assets, and the framework's own
pages (login, the dashboard). Each concern keeps its pages in its own ``pages`` module with
its templates beside it; the wiring (``handlers.console_pages``) lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.web import access, dashboard, operations
from bot.web.pages import PREFIX, Pages

HERE: Final = Path(__file__).parent
STATIC: Final = f"{PREFIX}/static"


def plumbing_pages() -> list[Pages]:
    """The console's own pages: login and logout, the dashboard, the audit log, the system."""
    return [access.pages, dashboard.pages, operations.pages]


def setup_console(app: web.Application, tables: Sequence[Pages]) -> None:
    """Serve the console on ``app``: its templates, static files and the pages of ``tables``."""
    concerns = {
        table.name: jinja2.FileSystemLoader(table.templates)
        for table in tables
        if table.templates is not None
    }
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(HERE / "templates"), jinja2.PrefixLoader(concerns)]
    )
    env = aiohttp_jinja2.setup(
        app, loader=loader, autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals["static"] = STATIC
    app.router.add_static(STATIC, HERE / "static", name="console.static")
    for table in tables:
        app.add_routes(table)
