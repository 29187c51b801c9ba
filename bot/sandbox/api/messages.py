"""App messages (docs 90236, 94888): message/send and message/update_template_card.

Recipients are the corp's active staff; department 1 holds all of them and there are no
member tags. Each app may deliver 30 messages a minute and 1000 an hour to one member;
beyond that WeCom drops them silently (doc 90454): the answer is still ok, and the outbox
entry lists them under ``dropped``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Final

from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.api.params import Params, check_bytes
from bot.sandbox.errcodes import ALL_RECIPIENTS_INVALID, ApiError, invalid
from bot.sandbox.records import AppMessage, Json, JsonMap, OneShotCode
from bot.sandbox.state import new_id

ROOT_PARTY: Final = "1"
INTERACTIVE_CARDS: Final = frozenset(
    {"button_interaction", "vote_interaction", "multiple_interaction"}
)
CARD_TYPES: Final = INTERACTIVE_CARDS | {"text_notice", "news_notice"}
_CONTENT_LIMITS: Final[dict[str, dict[str, int]]] = {
    "text": {"content": 2048},
    "markdown": {"content": 2048},
    "textcard": {"title": 128, "description": 512},
}
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "text": ("content",),
    "markdown": ("content",),
    "textcard": ("title", "description", "url"),
    "template_card": ("card_type",),
    "image": ("media_id",),
    "voice": ("media_id",),
    "video": ("media_id",),
    "file": ("media_id",),
    "news": (),
    "mpnews": (),
    "miniprogram_notice": ("appid",),
}


def _agent(call: Call) -> int:
    agentid = call.params.integer("agentid")
    if call.world.config.apps[call.app].agent_id != agentid:
        raise invalid(f"agentid {agentid} does not belong to this access_token's app")
    return agentid


def _payload(params: Params) -> tuple[str, JsonMap]:
    msgtype = params.text("msgtype")
    if msgtype not in _REQUIRED:
        raise invalid(f"msgtype {msgtype} is not supported")
    body = params.sub(msgtype, required=True)
    for name in _REQUIRED[msgtype]:
        body.text(name)
    for name, limit in _CONTENT_LIMITS.get(msgtype, {}).items():
        check_bytes(f"{msgtype}.{name}", body.opt_text(name), limit)
    if msgtype == "template_card":
        card_type = body.text("card_type")
        if card_type not in CARD_TYPES:
            raise invalid(f"card_type {card_type} is not supported")
        if card_type in INTERACTIVE_CARDS:
            body.text("task_id")
    return msgtype, body.raw


def _split(params: Params, name: str, limit: int) -> list[str]:
    raw = params.opt_text(name)
    items = [i for i in raw.split("|") if i]
    if len(items) > limit:
        raise invalid(f"{name} lists {len(items)}, at most {limit} are allowed")
    return items


def _recipients(call: Call) -> tuple[list[str], Json]:
    """The members reached, and the invaliduser/invalidparty/invalidtag strings."""
    params = call.params
    active = [u for u, s in call.corp.staff.items() if not s.resigned]
    users, parties = _split(params, "touser", 1000), _split(params, "toparty", 100)
    tags = _split(params, "totag", 100)
    if not (users or parties or tags):
        raise invalid("touser, toparty and totag cannot all be empty")
    reached = active if "@all" in users or ROOT_PARTY in parties else []
    reached += [u for u in users if u in active and u not in reached]
    invalid_lists: Json = {
        "invaliduser": "|".join(u for u in users if u != "@all" and u not in active),
        "invalidparty": "|".join(p for p in parties if p != ROOT_PARTY),
        "invalidtag": "|".join(tags),
    }
    if not reached:
        raise ApiError(ALL_RECIPIENTS_INVALID, "user & party & tag all invalid")
    return reached, invalid_lists


def _duplicate_key(call: Call, agentid: int, msgtype: str, payload: JsonMap) -> str | None:
    """The duplicate-check key of this send, if enable_duplicate_check is on."""
    params = call.params
    if params.opt_int("enable_duplicate_check", 0, low=0, high=1) != 1:
        return None
    return json.dumps(
        [
            agentid,
            params.raw.get("touser"),
            params.raw.get("toparty"),
            params.raw.get("totag"),
            msgtype,
            payload,
        ],
        sort_keys=True,
    )


def _earlier(call: Call, key: str | None) -> str | None:
    """The msgid of an identical send within duplicate_check_interval (1800 s, ≤4 h)."""
    interval = call.params.opt_int("duplicate_check_interval", 1800, low=1, high=4 * 3600)
    seen = call.corp.recent_sends.get(key) if key is not None else None
    if seen is not None and call.now - seen[1] < timedelta(seconds=interval):
        return seen[0]
    return None


def message_send(call: Call) -> Json:
    """Send an app message; interactive template cards get a response_code (72 h, once)."""
    agentid = _agent(call)
    msgtype, payload = _payload(call.params)
    reached, invalid_lists = _recipients(call)
    answer: Json = {**invalid_lists, "unlicenseduser": ""}
    key = _duplicate_key(call, agentid, msgtype, payload)
    original = _earlier(call, key)
    if original is not None:  # (unverified) WeCom's answer to a suppressed duplicate
        call.notes["duplicate_of"] = original
        return {**answer, "msgid": original}
    msgid = new_id("msg", 40)
    if key is not None:
        call.corp.recent_sends[key] = (msgid, call.now)
    delivered, dropped = [], []
    for userid in reached:
        if call.world.member_limits.allow(f"{agentid}:{userid}", call.now):
            delivered.append(userid)
            call.corp.app_messages.append(
                AppMessage(msgid, agentid, userid, msgtype, payload, call.now)
            )
        else:
            dropped.append(userid)
    call.notes.update({"delivered": delivered, "dropped": dropped})
    answer["msgid"] = msgid
    if msgtype == "template_card" and payload.get("card_type") in INTERACTIVE_CARDS:
        code = new_id("rc", 40)
        call.corp.response_codes[code] = OneShotCode(code, msgid, "", call.now)
        answer["response_code"] = code
    return answer


def update_template_card(call: Call) -> Json:
    """Update a sent card (e.g. a button's replace_name) with its response_code, once."""
    params = call.params
    _agent(call)
    code = params.text("response_code")
    issued = call.corp.response_codes.get(code)
    hours = call.world.config.limits.response_code_hours
    if issued is None or issued.used or call.now - issued.issued_at > timedelta(hours=hours):
        raise invalid("response_code is invalid, used or older than 72 h")
    if not (params.has("button") or params.has("template_card")):
        raise invalid("button or template_card is required")
    if params.has("button"):
        params.sub("button").text("replace_name")
    call.corp.response_codes[code] = dataclasses.replace(issued, used=True)
    active = {u for u, s in call.corp.staff.items() if not s.resigned}
    return {"invaliduser": [u for u in params.strings("userids") if u not in active]}


ENDPOINTS = (
    Endpoint("message/send", "POST", message_send, rate_limited=False),
    Endpoint("message/update_template_card", "POST", update_template_card),
)
