"""/sidebar/api/.../replies/{reply_id}: what a tap on a 话术 puts into the chat.

POST /sidebar/api/customers/{id}/replies/{reply_id}    → {"messages": [sendChatMessage args]}
POST /sidebar/api/groups/{chat_id}/replies/{reply_id}  → the same, in a group chat
siyu answers the arguments (media made fresh from the library) and records the pick on the
customer's timeline; the page then calls ``sendChatMessage`` with each (doc 93863), which
puts the message into the chat for the staff member to send.
"""

from __future__ import annotations

from aiohttp import web

from bot.deps import Deps
from handlers.customers.profiles import Profile
from handlers.sidebar.api import (
    CSRF_REFUSED,
    answer,
    customer_call,
    json_body,
    refusal,
    visible_group,
)
from handlers.sidebar.components import TIMELINE
from handlers.sidebar.identity import csrf_ok, deps_of, staff_of
from handlers.sidebar.needs import QUICK_REPLY_BOOK

routes = web.RouteTableDef()


@routes.post("/sidebar/api/customers/{external_userid}/replies/{reply_id}")
async def reply_to_customer(request: web.Request) -> web.Response:
    """A quick reply for the customer's chat, recorded on their timeline."""

    async def send(request: web.Request, deps: Deps, userid: str, profile: Profile) -> web.Response:
        body = await json_body(request)
        if isinstance(body, web.Response):
            return body
        reply_id = request.match_info["reply_id"]
        messages = await deps.get(QUICK_REPLY_BOOK).messages(deps, reply_id)
        if not messages:
            return refusal(404, "no such quick reply, or nothing of it can be sent now")
        kinds = [m["msgtype"] for m in messages]
        detail = {"reply_id": reply_id, "msgtypes": kinds}
        now = deps.clock.now()
        await deps.get(TIMELINE).record(profile.external_userid, userid, "quick_reply", now, detail)
        return answer({"messages": messages})

    return await customer_call(request, send)


@routes.post("/sidebar/api/groups/{chat_id}/replies/{reply_id}")
async def reply_to_group(request: web.Request) -> web.Response:
    """A quick reply for a group chat the staff member may see."""
    deps, userid = deps_of(request), staff_of(request)
    if userid is None:
        return refusal(401, "sign in through /sidebar/ first")
    if not csrf_ok(request):
        return refusal(403, CSRF_REFUSED)
    body = await json_body(request)
    if isinstance(body, web.Response):
        return body
    if await visible_group(deps, request.match_info["chat_id"], userid) is None:
        return refusal(403, "not a group of yours")
    messages = await deps.get(QUICK_REPLY_BOOK).messages(deps, request.match_info["reply_id"])
    if not messages:
        return refusal(404, "no such quick reply, or nothing of it can be sent now")
    return answer({"messages": messages})
