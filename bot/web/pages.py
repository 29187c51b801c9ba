"""Console pages: a table of routes like ``bot.admin.endpoints.Endpoints``, each with the role
it needs. Before a handler runs, its page finds who is logged in (else: to the login page),
checks the role (else: 403) and, for a form post, the CSRF token (else: 403).

A concern's ``pages`` module builds one table with its templates folder::

    pages = Pages("intake", Path(__file__).with_name("templates"))

    @pages.get("/console/channels")
    async def channels(request: web.Request) -> web.StreamResponse:
        return render(request, "intake/channels.html", {...})
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, overload
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from bot.admin.roles import Principal, Role
from bot.web.catalog import zh_cn
from bot.web.session import csrf_ok, csrf_token, current, keep_csrf

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFIX: Final = "/console"
LOGIN: Final = f"{PREFIX}/login"
VIEWER: Final = web.RequestKey("console_viewer", Principal)


def viewer(request: web.Request) -> Principal:
    """Who is looking at the page (pages that need a role)."""
    return request[VIEWER]


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    """A page or fragment from its template, with what every template may use: ``t`` (the
    catalog), ``me`` (who, or None), ``can_edit``, ``is_admin`` and ``csrf``."""
    me = request.get(VIEWER)
    shown = {
        "t": zh_cn(),
        "me": me,
        "csrf": csrf_token(request),
        "path": request.path,
        "nav": "",
        "can_edit": me is not None and me.role.allows(Role.OPERATOR),
        "is_admin": me is not None and me.role.allows(Role.ADMIN),
        **(context or {}),
    }
    response = aiohttp_jinja2.render_template(template, request, shown, status=status)
    keep_csrf(request, response)
    response.headers["Cache-Control"] = "no-store"
    return response


def refusal(request: web.Request, title: str, message: str, status: int) -> web.Response:
    """An error page in the layout (403, 404)."""
    return render(request, "error.html", {"title": title, "message": message}, status=status)


class Page(web.AbstractRouteDef):
    """One console route and the role it needs (None: no login)."""

    def __init__(self, method: str, path: str, handler: Handler, role: Role | None) -> None:
        self.method, self.path, self.handler, self.role = method, path, handler, role

    def register(self, router: web.UrlDispatcher) -> list[web.AbstractRoute]:
        """Add the route to an app's router."""
        return [
            router.add_route(
                self.method,
                self.path,
                self.serve,
                name=f"console.{self.handler.__module__}.{self.handler.__name__}",
            )
        ]

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """Log in, role and CSRF checks, then the handler."""
        if self.role is not None:
            me = await current(request)
            if me is None:
                if self.method != "GET":
                    return refusal(request, _t("errors.csrf_title"), _t("errors.csrf"), 403)
                raise web.HTTPSeeOther(f"{LOGIN}?next={quote(request.path_qs)}")
            request[VIEWER] = me
            if not me.role.allows(self.role):
                message = _t(
                    "errors.forbidden",
                    role=_t(f"nav.role_{me.role}"),
                    needed=_t(f"nav.role_{self.role}"),
                )
                return refusal(request, _t("errors.forbidden_title"), message, 403)
        if self.method == "POST" and not csrf_ok(request, await request.post()):
            return refusal(request, _t("errors.csrf_title"), _t("errors.csrf"), 403)
        return await self.handler(request)


def _t(key: str, **values: object) -> str:
    return zh_cn()(key, **values)


class Pages(Sequence[web.AbstractRouteDef]):
    """A table of console pages and the folder of their templates (named ``<name>/...``)."""

    def __init__(self, name: str, templates: Path | None = None) -> None:
        self.name = name
        self.templates = templates
        self._items: list[Page] = []

    def __iter__(self) -> Iterator[web.AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> web.AbstractRouteDef: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[web.AbstractRouteDef]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self._items[index]

    def route(self, method: str, path: str, role: Role | None) -> Callable[[Handler], Handler]:
        """Declare ``handler`` as ``method path`` for ``role`` and above."""

        def add(handler: Handler) -> Handler:
            self._items.append(Page(method, path, handler, role))
            return handler

        return add

    def get(self, path: str, role: Role | None = Role.VIEWER) -> Callable[[Handler], Handler]:
        """A page anyone logged in may see (unless ``role=``)."""
        return self.route("GET", path, role)

    def post(self, path: str, role: Role | None = Role.OPERATOR) -> Callable[[Handler], Handler]:
        """A form post: operators and admins (unless ``role=``), CSRF checked."""
        return self.route("POST", path, role)
