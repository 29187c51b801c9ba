"""The /sandbox/ actor routes: customers, staff and group members acting in WeCom.

The routes of GET /sandbox/state's interface (customers add/delete, staff message, KF
message) are used by tools outside siyu: keep their paths and shapes. Every route that
emits a callback also takes optional ``"duplicates": N`` and ``"delay_ms": M``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.sandbox import actors, campaigns, groups
from bot.sandbox.emitter import EmitOptions
from bot.sandbox.httpjson import (
    ControlError,
    emit_options,
    field_int,
    field_strings,
    field_text,
    read_json,
    reply,
)
from bot.sandbox.records import Json, JsonMap
from bot.sandbox.state import new_id
from bot.sandbox.world import WORLD, World

routes = web.RouteTableDef()


@dataclass(frozen=True, slots=True)
class ActorCall:
    """One actor request: the world, the route's path parameters and the JSON body."""

    world: World
    request: web.Request
    body: JsonMap

    def path(self, name: str) -> str:
        """A parameter of the route's path."""
        return self.request.match_info[name]

    def text(self, name: str, default: str | None = None) -> str:
        """A string field; required unless ``default`` is given."""
        return field_text(self.body, name, default)

    def integer(self, name: str, default: int | None = None) -> int:
        """An integer field; required unless ``default`` is given."""
        return field_int(self.body, name, default)

    def strings(self, name: str) -> list[str]:
        """A required, non-empty list of strings."""
        return field_strings(self.body, name)

    def options(self) -> EmitOptions:
        """The optional ``duplicates`` and ``delay_ms``, over the emitter's defaults."""
        return emit_options(self.body, self.world.emitter.defaults)


Act = Callable[[ActorCall], Json]


def actor_route(path: str) -> Callable[[Act], Act]:
    """Serve ``act`` as POST ``path``: it is given the ActorCall, and answers its result.

    The body is read (400 if it is not a JSON object) before ``act`` runs; its fields are
    checked in the order ``act`` asks for them.
    """

    def register(act: Act) -> Act:
        @routes.post(path)
        async def handle(request: web.Request) -> web.Response:
            body = await read_json(request)
            return reply(act(ActorCall(request.app[WORLD], request, body)))

        return act

    return register


@actor_route("/sandbox/customers/{external_userid}/add")
def customer_adds(call: ActorCall) -> Json:
    """``{"staff": userid, "state"?: "..."}`` → add_external_contact with a WelcomeCode."""
    state = call.text("state", "")
    if len(state) > 30:  # noqa: PLR2004 - a contact way's state is ≤30 chars (doc 92228)
        raise ControlError(400, "state is at most 30 characters")
    return actors.customer_adds_staff(
        call.world, call.path("external_userid"), call.text("staff"), state, call.options()
    )


@actor_route("/sandbox/customers/{external_userid}/delete")
def customer_deletes(call: ActorCall) -> Json:
    """``{"staff": userid}`` → the relation is removed and del_follow_user is sent."""
    return actors.customer_deletes_staff(
        call.world, call.path("external_userid"), call.text("staff"), call.options()
    )


@actor_route("/sandbox/staff/{userid}/message")
def staff_message(call: ActorCall) -> Json:
    """``{"text": "...", "app"?: "default"}`` → a text message to the app (fresh MsgId)."""
    text, app = call.text("text"), call.text("app", "default")
    return actors.staff_writes(call.world, call.path("userid"), text, app, call.options())


@actor_route("/sandbox/staff/{userid}/card_click")
def staff_card_click(call: ActorCall) -> Json:
    """``{"task_id": "...", "event_key": "..."}`` → template_card_event with a ResponseCode."""
    task_id, event_key = call.text("task_id"), call.text("event_key")
    return actors.staff_clicks_card(
        call.world, call.path("userid"), task_id, event_key, call.options()
    )


@routes.post("/sandbox/staff/{userid}/resign")  # takes no body: a plain route
async def staff_resigns(request: web.Request) -> web.Response:
    """The staff member leaves the corp (their customers await a resigned transfer)."""
    return reply(actors.staff_resigns(request.app[WORLD], request.match_info["userid"]))


@actor_route("/sandbox/kf/{open_kfid}/customers/{external_userid}/message")
def kf_message(call: ActorCall) -> Json:
    """``{"text": "..."}`` → logged for kf/sync_msg and kf_msg_or_event is sent."""
    open_kfid, external_userid = call.path("open_kfid"), call.path("external_userid")
    return actors.customer_writes_kf(
        call.world, open_kfid, external_userid, call.text("text"), call.options()
    )


@actor_route("/sandbox/kf/{open_kfid}/customers/{external_userid}/enter")
def kf_enter(call: ActorCall) -> Json:
    """``{"scene"?: "..."}`` → an enter_session event whose welcome_code lasts 20 s."""
    open_kfid, external_userid = call.path("open_kfid"), call.path("external_userid")
    return actors.customer_enters_kf(
        call.world, open_kfid, external_userid, call.text("scene", ""), call.options()
    )


@actor_route("/sandbox/staff")
def staff_joins(call: ActorCall) -> Json:
    """``{"userid": "...", "name"?: "..."}``: a new staff member (no callback)."""
    return actors.add_staff(call.world, call.text("userid"), call.text("name", ""))


@actor_route("/sandbox/kf_accounts")
def kf_account_added(call: ActorCall) -> Json:
    """``{"open_kfid"?: "...", "name": "..."}``: a new KF account (no callback)."""
    open_kfid = call.text("open_kfid", "") or new_id("wk", 24)
    return actors.add_kf_account(call.world, open_kfid, call.text("name"))


@actor_route("/sandbox/groups")
def group_created(call: ActorCall) -> Json:
    """``{"chat_id"?: "...", "name": "...", "owner": userid}`` → change_external_chat create."""
    chat_id = call.text("chat_id", "") or new_id("wr", 30)
    return groups.create_group(
        call.world, chat_id, call.text("name"), call.text("owner"), call.options()
    )


@actor_route("/sandbox/groups/{chat_id}/join")
def group_join(call: ActorCall) -> Json:
    """``{"members": [...], "scene": 0|1|3}`` → change_external_chat update add_member."""
    members, scene = call.strings("members"), call.integer("scene", 0)
    return groups.members_join(call.world, call.path("chat_id"), members, scene, call.options())


@actor_route("/sandbox/groups/{chat_id}/quit")
def group_quit(call: ActorCall) -> Json:
    """``{"members": [...], "scene": 0|1}`` → change_external_chat update del_member."""
    members, scene = call.strings("members"), call.integer("scene", 0)
    return groups.members_quit(call.world, call.path("chat_id"), members, scene, call.options())


@actor_route("/sandbox/contact_ways/{config_id}/scan")
def contact_way_scan(call: ActorCall) -> Json:
    """``{"customer": external_userid}``: scanning a live code adds one of its staff."""
    return campaigns.customer_scans(
        call.world, call.path("config_id"), call.text("customer"), call.options()
    )


@actor_route("/sandbox/groupmsg/{msgid}/confirm")
def groupmsg_confirm(call: ActorCall) -> Json:
    """``{"staff": userid}``: the sender confirms a group-send in the client; it goes out."""
    return campaigns.staff_confirms(call.world, call.path("msgid"), call.text("staff"))
