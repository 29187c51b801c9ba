"""The /sandbox/ routes of 微信客服 sessions: a test plays the servicers and the customer's taps.

  POST /sandbox/kf/{open_kfid}/servicers                  {userid, status?: 0 on duty | 1 off}
                                                          → {open_kfid, servicer_list}
  GET  /sandbox/kf/{open_kfid}/customers/{eu}/session     → {service_state, servicer_userid,
                                                          replies, last_customer_time}
  POST /sandbox/kf/{open_kfid}/customers/{eu}/tap         {menu_id} → {msgid, token, event_id}:
                                                          the customer taps an item of the last
                                                          msgmenu sent to them (a text with
                                                          menu_id, as WeCom logs it)
  POST /sandbox/kf/{open_kfid}/customers/{eu}/take        {servicer}: takes the session from
                                                          the pool (2 → 3, change_type 1)
  POST /sandbox/kf/{open_kfid}/customers/{eu}/servicer_message {text}: the serving servicer
                                                          writes (origin 5; state 3 only)
  POST /sandbox/kf/{open_kfid}/customers/{eu}/end         the servicer ends it (3 → 4,
                                                          change_type 3)

Routes that log a message send kf_msg_or_event like WeCom, and take duplicates and delay_ms.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.sandbox import plaintexts
from bot.sandbox.httpjson import ControlError, emit_options, field_int, field_text, read_json, reply
from bot.sandbox.kf_sessions import (
    ENDED,
    ENDED_BY_SERVICER,
    FROM_CUSTOMER,
    FROM_SERVICER,
    HUMAN,
    SYSTEM,
    TAKEN,
    KfServicerMessage,
    KfSession,
    KfSessions,
    TransitionRefused,
    sessions_of,
)
from bot.sandbox.records import Json, JsonMap, KfMessage, OneShotCode
from bot.sandbox.state import new_id
from bot.sandbox.world import WORLD, World

routes = web.RouteTableDef()
_CUSTOMER = "/sandbox/kf/{open_kfid}/customers/{external_userid}"


def _parts(request: web.Request) -> tuple[World, str, str]:
    world = request.app[WORLD]
    open_kfid = request.match_info["open_kfid"]
    if open_kfid not in world.corp.kf_accounts:
        raise ControlError(404, f"no such KF account: {open_kfid}")
    return world, open_kfid, request.match_info.get("external_userid", "")


def _log(world: World, message: KfMessage, body: JsonMap) -> Json:
    """Log ``message`` and send kf_msg_or_event with a fresh Token."""
    corp, now = world.corp, world.now()
    corp.kf_log.append(message)
    token = new_id("ENC", 40)
    corp.kf_tokens[token] = OneShotCode(token, message.open_kfid, message.external_userid, now)
    fields = plaintexts.kf_notice(corp.corp_id, now, token, message.open_kfid)
    options = emit_options(body, world.emitter.defaults)
    emission = world.emitter.emit(world.contact_app(), fields, options)
    return {"msgid": message.msgid, "token": token, "event_id": emission.event_id}


def _status_change(
    world: World, pair: tuple[str, str], change: int, servicers: tuple[str, str]
) -> KfMessage:
    """A session_status_change event; ``servicers``: the old and the new one."""
    (open_kfid, external_userid), (old, new) = pair, servicers
    corp = world.corp
    event = {
        "event_type": "session_status_change",
        "open_kfid": open_kfid,
        "external_userid": external_userid,
        "change_type": change,
        "old_servicer_userid": old,
        "new_servicer_userid": new,
    }
    return KfMessage(
        corp.next_seq(),
        new_id("kfmsg", 24),
        open_kfid,
        external_userid,
        int(world.now().timestamp()),
        SYSTEM,
        "event",
        event,
    )


def _sessions(world: World) -> KfSessions:
    return sessions_of(world.corp, world.now())


@routes.post("/sandbox/kf/{open_kfid}/servicers")
async def set_servicer(request: web.Request) -> web.Response:
    """A servicer of the account goes on (0) or off (1) duty."""
    world, open_kfid, _ = _parts(request)
    body = await read_json(request)
    userid, status = field_text(body, "userid"), field_int(body, "status", 0)
    if userid not in world.corp.staff:
        raise ControlError(404, f"no such staff member: {userid}")
    if status not in {0, 1}:
        raise ControlError(400, "status is 0 (on duty) or 1 (off duty)")
    sessions = _sessions(world)
    sessions.set_servicer(open_kfid, userid, status)
    return reply({"open_kfid": open_kfid, "servicer_list": sessions.servicer_list(open_kfid)})


@routes.get(_CUSTOMER + "/session")
async def session_of(request: web.Request) -> web.Response:
    """The customer's session as the sandbox sees it."""
    world, open_kfid, external_userid = _parts(request)
    session = _sessions(world).of(open_kfid, external_userid)
    return reply(
        {
            "service_state": session.state,
            "servicer_userid": session.servicer,
            "replies": session.replies,
            "last_customer_time": session.last_customer_time,
        }
    )


def _menu_item(
    sent: list[KfMessage], open_kfid: str, external_userid: str, menu_id: str
) -> Mapping[str, object] | None:
    pair = (open_kfid, external_userid)
    for message in reversed(sent):
        if (message.open_kfid, message.external_userid) != pair or message.msgtype != "msgmenu":
            continue
        items = message.payload.get("list")
        for item in items if isinstance(items, list) else []:
            click = item.get("click") if isinstance(item, Mapping) else None
            if isinstance(click, Mapping) and str(click.get("id")) == menu_id:
                return click
        return None
    return None


@routes.post(_CUSTOMER + "/tap")
async def tap(request: web.Request) -> web.Response:
    """The customer taps a click item of the last menu they got."""
    world, open_kfid, external_userid = _parts(request)
    body = await read_json(request)
    menu_id = field_text(body, "menu_id")
    click = _menu_item(world.corp.kf_sent, open_kfid, external_userid, menu_id)
    if click is None:
        raise ControlError(404, f"the last menu sent to {external_userid} has no item {menu_id}")
    corp = world.corp
    message = KfMessage(
        corp.next_seq(),
        new_id("kfmsg", 24),
        open_kfid,
        external_userid,
        int(world.now().timestamp()),
        FROM_CUSTOMER,
        "text",
        {"content": str(click.get("content", "")), "menu_id": menu_id},
    )
    return reply(_log(world, message, body))


@routes.post(_CUSTOMER + "/take")
async def take(request: web.Request) -> web.Response:
    """A servicer takes the session from the pool (2 → 3)."""
    world, open_kfid, external_userid = _parts(request)
    body = await read_json(request)
    servicer = field_text(body, "servicer")
    try:
        _sessions(world).change(open_kfid, external_userid, HUMAN, servicer)
    except TransitionRefused as exc:
        raise ControlError(409, str(exc)) from None
    event = _status_change(world, (open_kfid, external_userid), TAKEN, ("", servicer))
    return reply(_log(world, event, body))


def _serving(world: World, open_kfid: str, external_userid: str) -> KfSession:
    session = _sessions(world).of(open_kfid, external_userid)
    if session.state != HUMAN:
        raise ControlError(409, f"service_state is {session.state}: no servicer holds it")
    return session


@routes.post(_CUSTOMER + "/servicer_message")
async def servicer_message(request: web.Request) -> web.Response:
    """The servicer holding the session writes to the customer."""
    world, open_kfid, external_userid = _parts(request)
    body = await read_json(request)
    text = field_text(body, "text")
    session = _serving(world, open_kfid, external_userid)
    corp = world.corp
    message = KfServicerMessage(
        corp.next_seq(),
        new_id("kfmsg", 24),
        open_kfid,
        external_userid,
        int(world.now().timestamp()),
        FROM_SERVICER,
        "text",
        {"content": text},
        session.servicer,
    )
    return reply(_log(world, message, body))


@routes.post(_CUSTOMER + "/end")
async def end(request: web.Request) -> web.Response:
    """The servicer ends the session (3 → 4)."""
    world, open_kfid, external_userid = _parts(request)
    body = await read_json(request)
    session = _serving(world, open_kfid, external_userid)
    servicer = session.servicer
    _sessions(world).change(open_kfid, external_userid, ENDED)
    event = _status_change(world, (open_kfid, external_userid), ENDED_BY_SERVICER, (servicer, ""))
    return reply(_log(world, event, body))
