"""The admin HTTP API, ``/api/v1``: operators' and tools' way to manage siyu's rules and data.

Bearer-token protected (``[admin] token``, best set as SIYU_ADMIN__TOKEN); without a token
configured every route answers 403. This package is the plumbing (auth, errors, the queue's
routes); each concern keeps its routes in its own ``admin`` module, and the wiring
(``handlers.admin_routes``) lists them. Answers are JSON; errors are ``{"error": reason}``.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from bot.admin import queue

PREFIX: Final = "/api/v1"


def plumbing_routes() -> list[web.AbstractRouteDef]:
    """The admin routes of the framework itself: the queue and its dead letters."""
    return list(queue.routes)
