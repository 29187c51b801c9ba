"""GET gettoken (doc 91039): an access_token per (corpid, corpsecret)."""

from __future__ import annotations

from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.errcodes import (
    INVALID_CORP_ID,
    INVALID_SECRET,
    MISSING_CORP_ID,
    MISSING_SECRET,
    ApiError,
)
from bot.sandbox.records import Json


def gettoken(call: Call) -> Json:
    """The app's token: the same one while valid, a new one after expiry or invalidation."""
    corpid = call.params.opt_text("corpid")
    secret = call.params.opt_text("corpsecret")
    if not corpid:
        raise ApiError(MISSING_CORP_ID, "corpid missing")
    if not secret:
        raise ApiError(MISSING_SECRET, "corpsecret missing")
    if corpid != call.corp.corp_id:
        raise ApiError(INVALID_CORP_ID, "invalid corpid")
    app = next((n for n, a in call.world.config.apps.items() if a.secret == secret), None)
    if app is None:
        raise ApiError(INVALID_SECRET, "invalid credential: corpsecret")
    token = call.world.tokens.issue(app, call.now)
    call.notes["token_app"] = app
    return {"access_token": token.value, "expires_in": token.seconds_left(call.now)}


ENDPOINTS = (Endpoint("gettoken", "GET", gettoken, needs_token=False),)
