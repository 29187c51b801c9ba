"""Every API the sandbox serves, from each area's ENDPOINTS."""

from __future__ import annotations

from bot.sandbox.api import contacts, token, welcome
from bot.sandbox.api.dispatch import Endpoint


def all_endpoints() -> list[Endpoint]:
    """The endpoint table of /cgi-bin/."""
    return [*token.ENDPOINTS, *contacts.ENDPOINTS, *welcome.ENDPOINTS]
