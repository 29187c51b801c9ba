"""Actors: what customers and staff do in WeCom, and the callbacks WeCom then sends siyu.

Each function changes the corp and asks the emitter to deliver the event (in the
background); it returns a JSON summary including the ``event_id`` of the emission, which
GET /sandbox/deliveries lists with each try.
"""

from __future__ import annotations

import dataclasses
import secrets

from bot.sandbox import plaintexts
from bot.sandbox.emitter import EmitOptions
from bot.sandbox.httpjson import ControlError
from bot.sandbox.records import (
    Customer,
    Follow,
    Json,
    KfAccount,
    KfMessage,
    OneShotCode,
    Staff,
    WelcomeCode,
)
from bot.sandbox.state import new_id
from bot.sandbox.world import World

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超", "霞")


def random_name() -> str:
    """A plausible Chinese name for a customer the sandbox makes up."""
    return secrets.choice(_SURNAMES) + secrets.choice(_GIVEN) + secrets.choice(("", *_GIVEN))


def _staff(world: World, userid: str) -> None:
    staff = world.corp.staff.get(userid)
    if staff is None or staff.resigned:
        raise ControlError(404, f"no such staff member: {userid}")


def ensure_customer(world: World, external_userid: str, name: str | None = None) -> Customer:
    """The customer, created (a WeChat user with a made-up name) if new."""
    corp = world.corp
    found = corp.customers.get(external_userid)
    if found is None:
        found = Customer(external_userid, name or random_name(), type=1)
        corp.customers[external_userid] = found
    return found


def customer_adds_staff(
    world: World,
    external_userid: str,
    userid: str,
    state: str = "",
    options: EmitOptions | None = None,
) -> Json:
    """A customer adds a staff member (e.g. by scanning a live code): add_external_contact.

    The event carries a WelcomeCode valid 20 s and once, unless the corp has a console
    welcome message (then WeCom sends none, doc 92599).
    """
    _staff(world, userid)
    corp, now = world.corp, world.now()
    if corp.relation(userid, external_userid) is not None:
        raise ControlError(409, f"{external_userid} is already a contact of {userid}")
    customer = ensure_customer(world, external_userid)
    corp.put_follow(Follow(userid, external_userid, int(now.timestamp()), state=state))
    extra = {"State": state} if state else {}
    code = None
    if corp.console_welcome is None:
        code = new_id("WC", 32)
        corp.welcome_codes[code] = WelcomeCode(code, userid, external_userid, now)
        extra["WelcomeCode"] = code
    fields = plaintexts.contact_change(
        corp.corp_id, now, "add_external_contact", userid, external_userid, **extra
    )
    emission = world.emitter.emit(world.contact_app(), fields, options)
    return {
        "external_userid": external_userid,
        "staff": userid,
        "state": state,
        "welcome_code": code,
        "customer": customer.as_json(),
        "event_id": emission.event_id,
    }


def customer_deletes_staff(
    world: World, external_userid: str, userid: str, options: EmitOptions | None = None
) -> Json:
    """The customer deletes the staff member: the relation goes, del_follow_user is sent."""
    corp, now = world.corp, world.now()
    if corp.drop_follow(userid, external_userid) is None:
        raise ControlError(404, f"{external_userid} is not a contact of {userid}")
    fields = plaintexts.contact_change(
        corp.corp_id, now, "del_follow_user", userid, external_userid
    )
    emission = world.emitter.emit(world.contact_app(), fields, options)
    return {"external_userid": external_userid, "staff": userid, "event_id": emission.event_id}


def staff_writes(
    world: World, userid: str, text: str, app: str = "default", options: EmitOptions | None = None
) -> Json:
    """A staff member writes to the siyu app: a text message with a fresh MsgId."""
    _staff(world, userid)
    credentials = world.config.apps.get(app)
    if credentials is None:
        raise ControlError(404, f"no such app: {app}")
    msg_id = world.corp.next_msg_id()
    fields = plaintexts.app_text(
        world.corp.corp_id, world.now(), userid, text, msg_id=msg_id, agent_id=credentials.agent_id
    )
    emission = world.emitter.emit(app, fields, options)
    return {"msg_id": msg_id, "staff": userid, "event_id": emission.event_id}


def _kf_notify(
    world: World, open_kfid: str, message: KfMessage, options: EmitOptions | None
) -> Json:
    corp, now = world.corp, world.now()
    corp.kf_log.append(message)
    token = new_id("ENC", 40)
    corp.kf_tokens[token] = OneShotCode(token, open_kfid, message.external_userid, now)
    fields = plaintexts.kf_notice(corp.corp_id, now, token, open_kfid)
    emission = world.emitter.emit(world.contact_app(), fields, options)
    return {"msgid": message.msgid, "token": token, "event_id": emission.event_id}


def _kf_account(world: World, open_kfid: str) -> None:
    if open_kfid not in world.corp.kf_accounts:
        raise ControlError(404, f"no such KF account: {open_kfid}")


def customer_writes_kf(
    world: World,
    open_kfid: str,
    external_userid: str,
    text: str,
    options: EmitOptions | None = None,
) -> Json:
    """A customer writes to a KF account: logged (origin 3) and kf_msg_or_event is sent."""
    _kf_account(world, open_kfid)
    ensure_customer(world, external_userid)
    corp, now = world.corp, world.now()
    message = KfMessage(
        corp.next_seq(),
        new_id("kfmsg", 24),
        open_kfid,
        external_userid,
        int(now.timestamp()),
        3,
        "text",
        {"content": text},
    )
    return _kf_notify(world, open_kfid, message, options)


def customer_enters_kf(
    world: World,
    open_kfid: str,
    external_userid: str,
    scene: str = "",
    options: EmitOptions | None = None,
) -> Json:
    """A customer opens a KF session: an enter_session event with a 20 s welcome_code."""
    _kf_account(world, open_kfid)
    ensure_customer(world, external_userid)
    corp, now = world.corp, world.now()
    code = new_id("KFWC", 32)
    corp.kf_codes[code] = OneShotCode(code, open_kfid, external_userid, now)
    event = {
        "event_type": "enter_session",
        "open_kfid": open_kfid,
        "external_userid": external_userid,
        "scene": scene,
        "welcome_code": code,
    }
    message = KfMessage(
        corp.next_seq(),
        new_id("kfmsg", 24),
        open_kfid,
        external_userid,
        int(now.timestamp()),
        4,
        "event",
        event,
    )
    return {**_kf_notify(world, open_kfid, message, options), "welcome_code": code}


def staff_resigns(world: World, userid: str) -> Json:
    """The staff member leaves: their relations stay until a resigned transfer moves them."""
    _staff(world, userid)
    staff = world.corp.staff[userid]
    world.corp.staff[userid] = dataclasses.replace(staff, resigned=True)
    return {"staff": userid, "customers": len(world.corp.customers_of(userid))}


def staff_clicks_card(
    world: World, userid: str, task_id: str, event_key: str, options: EmitOptions | None = None
) -> Json:
    """A member presses a button of an interactive card siyu sent: template_card_event.

    The event's ResponseCode (72 h, once) lets siyu call message/update_template_card.
    """
    _staff(world, userid)
    corp, now = world.corp, world.now()
    sent = next(
        (
            m
            for m in reversed(corp.app_messages)
            if m.touser == userid
            and m.msgtype == "template_card"
            and m.payload.get("task_id") == task_id
        ),
        None,
    )
    if sent is None:
        raise ControlError(404, f"no card with task_id {task_id} was delivered to {userid}")
    app = world.app_by_agent(sent.agentid)
    if app is None:
        raise ControlError(404, f"no app with agentid {sent.agentid}")
    code = new_id("rc", 40)
    corp.response_codes[code] = OneShotCode(code, sent.msgid, userid, now)
    fields = plaintexts.template_card_click(
        corp.corp_id,
        now,
        userid,
        card=(task_id, str(sent.payload.get("card_type", ""))),
        event_key=event_key,
        response_code=code,
        agent_id=sent.agentid,
    )
    emission = world.emitter.emit(app[0], fields, options)
    return {"response_code": code, "task_id": task_id, "event_id": emission.event_id}


def add_staff(world: World, userid: str, name: str) -> Json:
    """A new member joins the corp (with customer-contact permission)."""
    if userid in world.corp.staff:
        raise ControlError(409, f"staff member {userid} exists")
    world.corp.staff[userid] = Staff(userid, name or userid)
    return {"userid": userid, "name": name or userid}


def add_kf_account(world: World, open_kfid: str, name: str) -> Json:
    """A new 微信客服 account."""
    if open_kfid in world.corp.kf_accounts:
        raise ControlError(409, f"KF account {open_kfid} exists")
    world.corp.kf_accounts[open_kfid] = KfAccount(open_kfid, name)
    return {"open_kfid": open_kfid, "name": name}
