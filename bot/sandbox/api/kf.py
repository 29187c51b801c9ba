"""微信客服 (doc 94670 and around): kf/sync_msg, kf/send_msg, kf/send_msg_on_event,
kf/service_state/get|trans, kf/servicer/list (sessions: bot/sandbox/kf_sessions.py).

Messages siyu sends are kept apart from the log sync_msg pages through: (unverified) WeCom
may also return them in sync_msg, but a bot that read its own replies back would loop.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from datetime import timedelta
from typing import Final

from bot.sandbox.api import lookups
from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.api.params import Params, check_bytes
from bot.sandbox.errcodes import KF_INVALID_ACCOUNT, KF_REPLY_WINDOW_CLOSED, ApiError, invalid
from bot.sandbox.kf_sessions import BOT, HUMAN, NEW, KfSession, TransitionRefused, sessions_of
from bot.sandbox.records import Json, KfMessage
from bot.sandbox.state import new_id

HISTORY: Final = timedelta(days=3)  # sync_msg covers the last 3 days
CURSOR_BYTES: Final = 64
TEXT_BYTES: Final = 2048
_MSGID: Final = re.compile(r"[0-9a-zA-Z_-]{1,32}")
SEND_TYPES: Final = frozenset(
    {"text", "image", "voice", "video", "file", "link", "miniprogram", "msgmenu", "location"}
)
EVENT_TYPES: Final = frozenset({"text", "msgmenu"})
FROM_SERVICER: Final = 5  # msg_list origin: the servicer side (siyu replies as it)
KF_STATE_CHANGE_REFUSED: Final = 95016  # (unverified) 不允许这种状态转换
KF_NOT_API_STATE: Final = 95017  # (unverified) the session is not in state 0 or 1


def _seq(message: KfMessage) -> int:
    return message.seq


def _account(call: Call, open_kfid: str) -> None:
    if open_kfid not in call.corp.kf_accounts:
        raise ApiError(KF_INVALID_ACCOUNT, f"invalid open_kfid: {open_kfid}")


def _check_sync_token(call: Call, token: str) -> None:
    issued = call.corp.kf_tokens.get(token)
    lifetime = timedelta(seconds=call.world.config.limits.kf_sync_token_seconds)
    if issued is None or call.now - issued.issued_at > lifetime:
        raise invalid("token is invalid or older than 10 minutes")


def sync_msg(call: Call) -> Json:
    """Page through the KF log after ``cursor``: msg_list, next_cursor, has_more."""
    params = call.params
    cursor = params.opt_text("cursor")
    if len(cursor.encode()) > CURSOR_BYTES:
        raise invalid("cursor is longer than 64 bytes")
    token = params.opt_text("token")
    if token:
        _check_sync_token(call, token)
    limit = params.opt_int("limit", 1000, low=1, high=1000)
    open_kfid = params.opt_text("open_kfid")
    if open_kfid:
        _account(call, open_kfid)
    after = lookups.decode_cursor(cursor)
    oldest = int((call.now - HISTORY).timestamp())
    log = call.corp.kf_log  # appended in seq order: start right after the cursor
    pending: list[KfMessage] = []
    for message in itertools.islice(log, bisect.bisect_right(log, after, key=_seq), None):
        if message.send_time >= oldest and (not open_kfid or message.open_kfid == open_kfid):
            pending.append(message)
            if len(pending) > limit:
                break
    chunk = pending[:limit]
    next_cursor = lookups.encode_cursor(chunk[-1].seq) if chunk else cursor
    return {
        "next_cursor": next_cursor or lookups.encode_cursor(after),
        "has_more": 1 if len(pending) > limit else 0,
        "msg_list": [m.as_json() for m in chunk],
    }


def _message(params: Params, allowed: frozenset[str]) -> tuple[str, str, Json]:
    """The optional msgid, msgtype and body of a message to send."""
    msgid = params.opt_text("msgid")
    if msgid and not _MSGID.fullmatch(msgid):
        raise invalid("msgid must be 1-32 characters of [0-9a-zA-Z_-]")
    msgtype = params.text("msgtype")
    if msgtype not in allowed:
        raise invalid(f"msgtype {msgtype} is not allowed here")
    body = params.sub(msgtype, required=True)
    if msgtype == "text":
        check_bytes("text.content", body.text("content"), TEXT_BYTES)
    return msgid, msgtype, dict(body.raw)


def _check_reply_window(call: Call, open_kfid: str, external_userid: str) -> KfSession:
    """States 0/1 only; 48 h after the customer's last message, at most N replies to it
    (N unverified: 5)."""
    limits = call.world.config.limits
    session = sessions_of(call.corp, call.now).of(open_kfid, external_userid)
    window = timedelta(hours=limits.kf_reply_window_hours)
    if not session.last_customer_time or (
        call.now.timestamp() - session.last_customer_time > window.total_seconds()
    ):
        raise ApiError(KF_REPLY_WINDOW_CLOSED, "the customer has not written in the last 48 h")
    if session.state not in {NEW, BOT}:
        raise ApiError(KF_NOT_API_STATE, f"service_state is {session.state}: the API may not reply")
    if session.replies >= limits.kf_replies_per_customer_message:
        raise ApiError(KF_REPLY_WINDOW_CLOSED, "too many replies since the customer's message")
    return session


def _record(
    call: Call, open_kfid: str, external_userid: str, message: tuple[str, str, Json]
) -> str:
    msgid, msgtype, body = message
    msgid = msgid or new_id("kfsent", 24)
    used = sessions_of(call.corp, call.now).sent_msgids
    if msgid in used:
        raise invalid(f"msgid {msgid} was already used")
    used.add(msgid)
    sent_at = int(call.now.timestamp())
    call.corp.kf_sent.append(
        KfMessage(
            call.corp.next_seq(),
            msgid,
            open_kfid,
            external_userid,
            sent_at,
            FROM_SERVICER,
            msgtype,
            body,
        )
    )
    return msgid


def send_msg(call: Call) -> Json:
    """Reply to a KF customer within 48 h of their last message → msgid."""
    params = call.params
    touser, open_kfid = params.text("touser"), params.text("open_kfid")
    _account(call, open_kfid)
    lookups.customer(call.corp, touser)
    message = _message(params, SEND_TYPES)
    session = _check_reply_window(call, open_kfid, touser)
    msgid = _record(call, open_kfid, touser, message)
    session.replies += 1
    return {"msgid": msgid}


def send_msg_on_event(call: Call) -> Json:
    """Answer an enter_session event with its code (20 s, once) → msgid."""
    code = call.params.text("code")
    issued = call.corp.kf_codes.get(code)
    lifetime = timedelta(seconds=call.world.config.limits.kf_event_code_seconds)
    if issued is None or issued.used or call.now - issued.issued_at > lifetime:
        raise invalid("code is invalid, used or older than 20 s")
    message = _message(call.params, EVENT_TYPES)
    call.corp.kf_codes[code] = dataclasses.replace(issued, used=True)
    return {"msgid": _record(call, issued.owner, issued.subject, message)}


def service_state_get(call: Call) -> Json:
    """The customer's session: service_state, and servicer_userid when 3."""
    open_kfid, external_userid = call.params.text("open_kfid"), call.params.text("external_userid")
    _account(call, open_kfid)
    session = sessions_of(call.corp, call.now).of(open_kfid, external_userid)
    return {"service_state": session.state, "servicer_userid": session.servicer}


def service_state_trans(call: Call) -> Json:
    """Move the session to service_state (3 needs servicer_userid) if allowed (doc 94669)."""
    params = call.params
    open_kfid, external_userid = params.text("open_kfid"), params.text("external_userid")
    _account(call, open_kfid)
    state = params.opt_int("service_state", -1, low=0, high=4)
    servicer = params.opt_text("servicer_userid")
    if state == HUMAN and not servicer:
        raise invalid("servicer_userid is required for service_state 3")
    try:
        sessions_of(call.corp, call.now).change(open_kfid, external_userid, state, servicer)
    except TransitionRefused as exc:
        raise ApiError(KF_STATE_CHANGE_REFUSED, str(exc)) from None
    return {"msg_code": ""}


def servicer_list(call: Call) -> Json:
    """The account's servicers: userid, status 0 接待中 / 1 停止接待."""
    open_kfid = call.params.text("open_kfid")
    _account(call, open_kfid)
    return {"servicer_list": sessions_of(call.corp, call.now).servicer_list(open_kfid)}


ENDPOINTS = (
    Endpoint("kf/sync_msg", "POST", sync_msg),
    Endpoint("kf/send_msg", "POST", send_msg),
    Endpoint("kf/send_msg_on_event", "POST", send_msg_on_event),
    Endpoint("kf/service_state/get", "POST", service_state_get),
    Endpoint("kf/service_state/trans", "POST", service_state_trans),
    Endpoint("kf/servicer/list", "GET", servicer_list),
)
