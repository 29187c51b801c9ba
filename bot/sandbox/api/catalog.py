"""Every API the sandbox serves, from each area's ENDPOINTS."""

from __future__ import annotations

from bot.sandbox.api import (
    contact_ways,
    contacts,
    groupchat,
    groupmsg,
    jsapi,
    kf,
    media,
    messages,
    tags,
    token,
    welcome,
)
from bot.sandbox.api.dispatch import Endpoint


def all_endpoints() -> list[Endpoint]:
    """The endpoint table of /cgi-bin/."""
    return [
        *token.ENDPOINTS,
        *contacts.ENDPOINTS,
        *welcome.ENDPOINTS,
        *tags.ENDPOINTS,
        *contact_ways.ENDPOINTS,
        *groupmsg.ENDPOINTS,
        *groupchat.ENDPOINTS,
        *messages.ENDPOINTS,
        *kf.ENDPOINTS,
        *media.ENDPOINTS,
        *jsapi.ENDPOINTS,
    ]
