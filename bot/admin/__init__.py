"""The admin HTTP API, ``/api/v1``: operators' and tools' way to manage siyu's rules and data.

This package is the plumbing: declared endpoints (``endpoints``: role, inputs and answers as
pydantic models), credentials (``auth``: API keys, sessions of operator accounts, the legacy
token), the one error shape (``errors``), the audit log, the OpenAPI document, and the routes
of the framework itself (queue, dead letters, accounts and keys). Each concern keeps its routes
in its own ``admin`` module; the wiring (``handlers.admin_routes``) lists them.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from bot.admin import access, openapi, queue, rules, stats

PREFIX: Final = "/api/v1"


def plumbing_routes() -> list[web.AbstractRouteDef]:
    """The admin routes of the framework itself: access, the queue, rule documents, the per-day
    stats, the OpenAPI document."""
    return [*access.routes, *queue.routes, *rules.routes, *stats.routes, *openapi.routes]
