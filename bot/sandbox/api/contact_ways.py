"""联系我 live codes (doc 92228): add/get/list/update/del_contact_way."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Final

from bot.sandbox.api import lookups
from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.api.params import Params
from bot.sandbox.errcodes import invalid
from bot.sandbox.records import ContactWay, Json
from bot.sandbox.state import new_id

STATE_CHARS: Final = 30
REMARK_CHARS: Final = 30
DAY: Final = 86400
MAX_EXPIRES: Final = 14 * DAY
LIST_WINDOW: Final = timedelta(days=90)  # list_contact_way's default range (unverified)


def _users(call: Call, params: Params, way_type: int, required: bool) -> tuple[str, ...]:
    users = params.strings("user", max_items=100)
    for userid in users:
        lookups.staff_member(call.corp, userid)
    if way_type == 1 and required and len(users) != 1:
        raise invalid("a single-person contact way (type 1) needs exactly one user")
    return tuple(users)


def _parties(params: Params) -> tuple[int, ...]:
    raw = params.raw.get("party", [])
    if not isinstance(raw, list) or not all(isinstance(p, int) for p in raw):
        raise invalid("party must be a list of department ids")
    return tuple(raw)


def _configure(call: Call, params: Params, way: ContactWay, *, creating: bool) -> ContactWay:
    """``way`` with the settable fields the request gives, validated (doc 92228)."""
    if way.type not in {1, 2}:
        raise invalid("type must be 1 (single) or 2 (multi)")
    users = _users(call, params, way.type, required=creating or params.has("user"))
    return dataclasses.replace(
        way,
        users=users if creating or params.has("user") else way.users,
        parties=_parties(params) if creating or params.has("party") else way.parties,
        style=params.opt_int("style", way.style),
        remark=params.opt_text("remark", way.remark, max_chars=REMARK_CHARS),
        state=params.opt_text("state", way.state, max_chars=STATE_CHARS),
        skip_verify=bool(params.raw.get("skip_verify", way.skip_verify)),
        expires_in=params.opt_int("expires_in", way.expires_in, low=1, high=MAX_EXPIRES),
        chat_expires_in=params.opt_int(
            "chat_expires_in", way.chat_expires_in, low=1, high=MAX_EXPIRES
        ),
        unionid=params.opt_text("unionid", way.unionid),
        conclusions=params.obj("conclusions") or way.conclusions,
    )


def _way(call: Call) -> ContactWay:
    config_id = call.params.text("config_id")
    way = call.corp.contact_ways.get(config_id)
    if way is None:
        raise invalid(f"config_id not found: {config_id}")
    return way


def _way_json(way: ContactWay) -> Json:
    shown: Json = {
        "config_id": way.config_id,
        "type": way.type,
        "scene": way.scene,
        "style": way.style,
        "remark": way.remark,
        "skip_verify": way.skip_verify,
        "state": way.state,
        "user": list(way.users),
        "party": list(way.parties),
        "is_temp": way.is_temp,
        "expires_in": way.expires_in,
        "chat_expires_in": way.chat_expires_in,
        "unionid": way.unionid,
    }
    if way.qr_code:
        shown["qr_code"] = way.qr_code
    if way.conclusions is not None:
        shown["conclusions"] = dict(way.conclusions)
    return shown


def add_contact_way(call: Call) -> Json:
    """Create a live code → config_id (and qr_code for scene 2)."""
    params = call.params
    scene = params.integer("scene")
    if scene not in {1, 2}:
        raise invalid("scene must be 1 (mini-program) or 2 (QR code)")
    config_id = new_id("cw", 32)
    qr_code = f"https://sandbox.invalid/qr/{config_id}" if scene == 2 else ""  # noqa: PLR2004
    blank = ContactWay(
        config_id,
        params.integer("type"),
        scene,
        int(call.now.timestamp()),
        (),
        is_temp=bool(params.raw.get("is_temp", False)),
        qr_code=qr_code,
    )
    way = _configure(call, params, blank, creating=True)
    if not way.users and not way.parties:
        raise invalid("user or party is required")
    call.corp.contact_ways[config_id] = way
    answer: Json = {"config_id": config_id}
    if qr_code:
        answer["qr_code"] = qr_code
    return answer


def get_contact_way(call: Call) -> Json:
    """One live code's configuration."""
    return {"contact_way": _way_json(_way(call))}


def list_contact_way(call: Call) -> Json:
    """The API-made live codes created in [start_time, end_time] (default: the last 90 days)."""
    params = call.params
    end = params.opt_int("end_time", int(call.now.timestamp()))
    start = params.opt_int("start_time", int((call.now - LIST_WINDOW).timestamp()))
    limit = params.opt_int("limit", 100, low=1, high=1000)
    ways = sorted(
        (w for w in call.corp.contact_ways.values() if start <= w.create_time <= end),
        key=lambda w: (w.create_time, w.config_id),
    )
    chunk, next_cursor = lookups.page(ways, params.opt_text("cursor"), limit)
    return {"contact_way": [{"config_id": w.config_id} for w in chunk], "next_cursor": next_cursor}


def update_contact_way(call: Call) -> Json:
    """Change a live code's settings (the fields given)."""
    way = _way(call)
    call.corp.contact_ways[way.config_id] = _configure(call, call.params, way, creating=False)
    return {}


def del_contact_way(call: Call) -> Json:
    """Delete a live code."""
    del call.corp.contact_ways[_way(call).config_id]
    return {}


ENDPOINTS = (
    Endpoint("externalcontact/add_contact_way", "POST", add_contact_way),
    Endpoint("externalcontact/get_contact_way", "POST", get_contact_way),
    Endpoint("externalcontact/list_contact_way", "POST", list_contact_way),
    Endpoint("externalcontact/update_contact_way", "POST", update_contact_way),
    Endpoint("externalcontact/del_contact_way", "POST", del_contact_way),
)
