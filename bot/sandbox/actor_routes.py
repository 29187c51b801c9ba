"""The /sandbox/ actor routes: customers, staff and group members acting in WeCom.

The routes of GET /sandbox/state's interface (customers add/delete, staff message, KF
message) are used by tools outside siyu: keep their paths and shapes. Every route that
emits a callback also takes optional ``"duplicates": N`` and ``"delay_ms": M``.
"""

from __future__ import annotations

from aiohttp import web

from bot.sandbox import actors, campaigns, groups
from bot.sandbox.httpjson import (
    ControlError,
    emit_options,
    field_int,
    field_strings,
    field_text,
    read_json,
    reply,
)
from bot.sandbox.state import new_id
from bot.sandbox.world import WORLD

routes = web.RouteTableDef()


@routes.post("/sandbox/customers/{external_userid}/add")
async def customer_adds(request: web.Request) -> web.Response:
    """``{"staff": userid, "state"?: "..."}`` → add_external_contact with a WelcomeCode."""
    world = request.app[WORLD]
    body = await read_json(request)
    state = field_text(body, "state", "")
    if len(state) > 30:  # noqa: PLR2004 - a contact way's state is ≤30 chars (doc 92228)
        raise ControlError(400, "state is at most 30 characters")
    done = actors.customer_adds_staff(
        world,
        request.match_info["external_userid"],
        field_text(body, "staff"),
        state,
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/customers/{external_userid}/delete")
async def customer_deletes(request: web.Request) -> web.Response:
    """``{"staff": userid}`` → the relation is removed and del_follow_user is sent."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = actors.customer_deletes_staff(
        world,
        request.match_info["external_userid"],
        field_text(body, "staff"),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/staff/{userid}/message")
async def staff_message(request: web.Request) -> web.Response:
    """``{"text": "...", "app"?: "default"}`` → a text message to the app (fresh MsgId)."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = actors.staff_writes(
        world,
        request.match_info["userid"],
        field_text(body, "text"),
        field_text(body, "app", "default"),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/staff/{userid}/card_click")
async def staff_card_click(request: web.Request) -> web.Response:
    """``{"task_id": "...", "event_key": "..."}`` → template_card_event with a ResponseCode."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = actors.staff_clicks_card(
        world,
        request.match_info["userid"],
        field_text(body, "task_id"),
        field_text(body, "event_key"),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/staff/{userid}/resign")
async def staff_resigns(request: web.Request) -> web.Response:
    """The staff member leaves the corp (their customers await a resigned transfer)."""
    return reply(actors.staff_resigns(request.app[WORLD], request.match_info["userid"]))


@routes.post("/sandbox/kf/{open_kfid}/customers/{external_userid}/message")
async def kf_message(request: web.Request) -> web.Response:
    """``{"text": "..."}`` → logged for kf/sync_msg and kf_msg_or_event is sent."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = actors.customer_writes_kf(
        world,
        request.match_info["open_kfid"],
        request.match_info["external_userid"],
        field_text(body, "text"),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/kf/{open_kfid}/customers/{external_userid}/enter")
async def kf_enter(request: web.Request) -> web.Response:
    """``{"scene"?: "..."}`` → an enter_session event whose welcome_code lasts 20 s."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = actors.customer_enters_kf(
        world,
        request.match_info["open_kfid"],
        request.match_info["external_userid"],
        field_text(body, "scene", ""),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/staff")
async def staff_joins(request: web.Request) -> web.Response:
    """``{"userid": "...", "name"?: "..."}``: a new staff member (no callback)."""
    body = await read_json(request)
    userid = field_text(body, "userid")
    return reply(actors.add_staff(request.app[WORLD], userid, field_text(body, "name", "")))


@routes.post("/sandbox/kf_accounts")
async def kf_account_added(request: web.Request) -> web.Response:
    """``{"open_kfid"?: "...", "name": "..."}``: a new KF account (no callback)."""
    body = await read_json(request)
    open_kfid = field_text(body, "open_kfid", "") or new_id("wk", 24)
    return reply(actors.add_kf_account(request.app[WORLD], open_kfid, field_text(body, "name")))


@routes.post("/sandbox/groups")
async def group_created(request: web.Request) -> web.Response:
    """``{"chat_id"?: "...", "name": "...", "owner": userid}`` → change_external_chat create."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = groups.create_group(
        world,
        field_text(body, "chat_id", "") or new_id("wr", 30),
        field_text(body, "name"),
        field_text(body, "owner"),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/groups/{chat_id}/join")
async def group_join(request: web.Request) -> web.Response:
    """``{"members": [...], "scene": 0|1|3}`` → change_external_chat update add_member."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = groups.members_join(
        world,
        request.match_info["chat_id"],
        field_strings(body, "members"),
        field_int(body, "scene", 0),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/groups/{chat_id}/quit")
async def group_quit(request: web.Request) -> web.Response:
    """``{"members": [...], "scene": 0|1}`` → change_external_chat update del_member."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = groups.members_quit(
        world,
        request.match_info["chat_id"],
        field_strings(body, "members"),
        field_int(body, "scene", 0),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/contact_ways/{config_id}/scan")
async def contact_way_scan(request: web.Request) -> web.Response:
    """``{"customer": external_userid}``: scanning a live code adds one of its staff."""
    world = request.app[WORLD]
    body = await read_json(request)
    done = campaigns.customer_scans(
        world,
        request.match_info["config_id"],
        field_text(body, "customer"),
        emit_options(body, world.emitter.defaults),
    )
    return reply(done)


@routes.post("/sandbox/groupmsg/{msgid}/confirm")
async def groupmsg_confirm(request: web.Request) -> web.Response:
    """``{"staff": userid}``: the sender confirms a group-send in the client; it goes out."""
    body = await read_json(request)
    done = campaigns.staff_confirms(
        request.app[WORLD], request.match_info["msgid"], field_text(body, "staff")
    )
    return reply(done)
