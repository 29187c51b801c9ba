"""The admin HTTP API, ``/api/v1``: operators' and tools' way to manage siyu's rules and data.

Bearer-token protected (``[admin] token``, best set as SIYU_ADMIN__TOKEN); without a token
configured every route answers 403. Each domain adds a module with its own RouteTableDef and
lists it in ROUTE_TABLES below. Answers are JSON; errors are ``{"error": reason}``.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from bot.admin import archive, campaigns, intake, queue

PREFIX: Final = "/api/v1"
ROUTE_TABLES: Final[tuple[web.RouteTableDef, ...]] = (
    queue.routes,
    campaigns.routes,
    archive.routes,
    intake.routes,
)


def admin_routes() -> list[web.AbstractRouteDef]:
    """Every admin route of every domain."""
    return [route for table in ROUTE_TABLES for route in table]
