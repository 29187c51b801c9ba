"""JS-SDK tickets and OAuth2 identity: GET get_jsapi_ticket, GET ticket/get?type=agent_config
(doc 90506), GET auth/getuserinfo (doc 91023)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.client_side import CORP
from bot.sandbox.errcodes import ApiError, invalid
from bot.sandbox.records import Json

INVALID_CODE: Final = 40029  # invalid or used OAuth2 code (wecom-spec §6)


def get_jsapi_ticket(call: Call) -> Json:
    """The corp's ticket (``wx.config``/``ww.register``), the same one while it is valid."""
    ticket = call.world.client_side.ticket(CORP, call.now)
    return {"ticket": ticket.value, "expires_in": _left(ticket.expires_at, call)}


def get_app_ticket(call: Call) -> Json:
    """The calling app's ticket for ``wx.agentConfig`` (type=agent_config)."""
    kind = call.params.opt_text("type")
    if kind != "agent_config":
        raise invalid("type must be agent_config")
    ticket = call.world.client_side.ticket(call.app, call.now)
    return {"ticket": ticket.value, "expires_in": _left(ticket.expires_at, call)}


def getuserinfo(call: Call) -> Json:
    """Who the code belongs to: ``userid`` for a member. A code works once (40029 after)."""
    code = call.params.opt_text("code")
    if not code:
        raise invalid("code is required")
    userid = call.world.client_side.redeem(code, call.now)
    if userid is None:
        raise ApiError(INVALID_CODE, "invalid code")
    return {"userid": userid}


def _left(expires_at: datetime, call: Call) -> int:
    return max(0, int(expires_at.timestamp() - call.now.timestamp()))


ENDPOINTS = (
    Endpoint("get_jsapi_ticket", "GET", get_jsapi_ticket),
    Endpoint("ticket/get", "GET", get_app_ticket),
    Endpoint("auth/getuserinfo", "GET", getuserinfo),
)
