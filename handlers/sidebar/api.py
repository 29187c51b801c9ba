"""/sidebar/api/...: the sidebar's JSON, every call checked against the session server-side.

GET  /sidebar/api/bootstrap?url=PAGE        who am I + both JS-SDK signatures for PAGE
GET  /sidebar/api/customers/{id}            the customer card (one request)
POST /sidebar/api/customers/{id}/tags       {add: [tag_id], remove: [tag_id]} → mark_tag
POST /sidebar/api/customers/{id}/reminders  {text: "明天上午10点回访"} → 201 the reminder
POST /sidebar/api/customers/{id}/reminders/{rid}/done
POST /sidebar/api/customers/{id}/dnd        {on: bool, reason?}
GET  /sidebar/api/groups/{chat_id}          the group card
Errors are ``{"error": reason}``: 401 without a session, 403 for a customer or group the
staff member may not see, 400/422 for a bad request. POSTs must be application/json, which a
cross-site form cannot send, and carry the page's CSRF token in X-CSRF-Token (403 without).
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import time
from time import perf_counter
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.deps import Deps
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from bot.wecom.jssdk import sign
from handlers.customers.components import CUSTOMERS, DO_NOT_DISTURB, TAG_CATALOGUE
from handlers.customers.corp_tags import sync_catalogue
from handlers.customers.profiles import Profile
from handlers.sidebar import access, cards
from handlers.sidebar.components import TICKETS, TIMELINE
from handlers.sidebar.identity import ROOT, csrf_ok, deps_of, public_base, staff_of
from handlers.sidebar.needs import GROUP_BOOK, REMINDER_DESK, GroupView, MemberView
from nlp.timeparse import Rejection, parse_reminder

routes = web.RouteTableDef()
CSRF_REFUSED: Final = "the CSRF token (header X-CSRF-Token, from the page) is missing or wrong"
Json = dict[str, Any]


def refusal(status: int, reason: str) -> web.Response:
    """An error answer: ``{"error": reason}``."""
    return web.json_response({"error": reason}, status=status)


def answer(body: object, status: int = 200) -> web.Response:
    """A JSON answer, Chinese left as is."""
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def json_body(request: web.Request) -> Json | web.Response:
    """The JSON object a POST carries, or the refusal (a cross-site form cannot send JSON)."""
    if request.content_type != "application/json":
        return refusal(415, "send application/json")
    try:
        body = await request.json()
    except ValueError:
        return refusal(400, "body is not JSON")
    return body if isinstance(body, dict) else refusal(400, "body must be a JSON object")


@routes.get("/sidebar/api/bootstrap")
async def bootstrap(request: web.Request) -> web.Response:
    """Who is signed in, and the signatures ``ww.register``/``wx.config`` and agentConfig need."""
    deps, userid = deps_of(request), staff_of(request)
    if userid is None:
        return refusal(401, "sign in through /sidebar/ first")
    url = request.query.get("url", "")
    if not url.startswith(public_base(request, deps) + ROOT):
        return refusal(400, "url must be a sidebar page of this siyu")
    api = deps.api(deps.settings.sidebar.app)
    tickets = deps.get(TICKETS).of(api)
    try:
        corp_ticket, app_ticket = await tickets.corp.ticket(), await tickets.app.ticket()
    except (WeComAPIError, WeComUnavailable, TimeoutError) as exc:
        return refusal(503, f"no JS-SDK ticket: {exc}")
    now = int(deps.clock.now().timestamp())
    return answer(
        {
            "userid": userid,
            "corp_id": deps.corp_id,
            "agent_id": api.client.agent_id,
            "all_customers": access.sees_all(deps.settings.sidebar, userid),
            "config": sign(corp_ticket, url, now).to_json(),
            "agent_config": sign(app_ticket, url, now).to_json(),
        }
    )


Handler = Callable[[web.Request], Awaitable[web.Response]]
Action = Callable[[web.Request, Deps, str, Profile], Awaitable[web.Response]]


async def customer_call(request: web.Request, action: Action) -> web.Response:
    """Run ``action`` if the signed-in staff member may see the customer."""
    deps, userid = deps_of(request), staff_of(request)
    if userid is None:
        return refusal(401, "sign in through /sidebar/ first")
    if request.method == "POST" and not csrf_ok(request):
        return refusal(403, CSRF_REFUSED)
    profile = await cards.load_profile(deps, request.match_info["external_userid"])
    if profile is None or not access.may_see_customer(deps.settings.sidebar, profile, userid):
        return refusal(403, "not your customer")
    return await action(request, deps, userid, profile)


def timed(handler: Handler) -> Handler:
    """Answer with ``Server-Timing: app;dur=<ms>``: the first paint's budget is 100 ms."""

    @functools.wraps(handler)
    async def timing(request: web.Request) -> web.Response:
        started = perf_counter()
        response = await handler(request)
        response.headers["Server-Timing"] = f"app;dur={(perf_counter() - started) * 1000:.1f}"
        return response

    return timing


@routes.get("/sidebar/api/customers/{external_userid}")
@timed
async def customer(request: web.Request) -> web.Response:
    """The customer card."""

    async def card(request: web.Request, deps: Deps, userid: str, profile: Profile) -> web.Response:
        return answer(await cards.customer_card(deps, profile, userid))

    return await customer_call(request, card)


@routes.post("/sidebar/api/customers/{external_userid}/tags")
async def tags(request: web.Request) -> web.Response:
    """Add and remove corp tags on the staff member's relation (externalcontact/mark_tag)."""
    return await customer_call(request, _mark_tags)


async def _mark_tags(
    request: web.Request, deps: Deps, userid: str, profile: Profile
) -> web.Response:
    wanted = await _tag_change(request, deps, userid, profile)
    if isinstance(wanted, web.Response):
        return wanted
    add, remove = wanted
    api = deps.api(deps.settings.sidebar.app)
    external = profile.external_userid
    try:
        await api.contacts.mark_tag(userid, external, add, remove)
        snapshot = await api.contacts.get(external)  # converge on WeCom's own answer
    except (WeComAPIError, WeComUnavailable) as exc:
        return refusal(503, f"WeCom: {exc}")
    now = deps.clock.now()
    await deps.get(CUSTOMERS).upsert(snapshot, int(now.timestamp()))
    await deps.get(TIMELINE).record(external, userid, "tags", now, {"add": add, "remove": remove})
    fresh = await deps.get(CUSTOMERS).relation(external, userid)
    return answer({"tags": await cards.tags_json(deps, fresh)})


async def _tag_change(
    request: web.Request, deps: Deps, userid: str, profile: Profile
) -> tuple[list[str], list[str]] | web.Response:
    """(add, remove) of a valid request, or the refusal."""
    body = await json_body(request)
    if isinstance(body, web.Response):
        return body
    add, remove = body.get("add", []), body.get("remove", [])
    lists = all(isinstance(x, list) and all(isinstance(t, str) for t in x) for x in (add, remove))
    if not lists or not (add or remove):
        return refusal(400, "add and/or remove: lists of tag ids, not both empty")
    if not access.follows(profile, userid):
        return refusal(409, "only a staff member who follows the customer can tag them")
    catalogue = deps.get(TAG_CATALOGUE)
    unknown = [t for t in [*add, *remove] if await catalogue.get(t) is None]
    if unknown:  # the local catalogue may lag WeCom's: read it again once
        try:
            await sync_catalogue(deps.api(deps.settings.sidebar.app), catalogue)
        except (WeComAPIError, WeComUnavailable) as exc:
            return refusal(503, f"WeCom: {exc}")
        unknown = [t for t in unknown if await catalogue.get(t) is None]
    if unknown:
        return refusal(422, f"unknown tags: {', '.join(unknown)}")
    return [str(t) for t in add], [str(t) for t in remove]


@routes.post("/sidebar/api/customers/{external_userid}/reminders")
async def add_reminder(request: web.Request) -> web.Response:
    """A reminder about the customer, in plain Chinese (「明天上午10点回访」)."""
    return await customer_call(request, _add_reminder)


async def _add_reminder(
    request: web.Request, deps: Deps, userid: str, profile: Profile
) -> web.Response:
    body = await json_body(request)
    if isinstance(body, web.Response):
        return body
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return refusal(400, "text is required")
    tz, now = ZoneInfo(deps.settings.timezone), deps.clock.now()
    default_time = time.fromisoformat(deps.settings.reminders.default_time)
    parsed = parse_reminder(text, now, default_time=default_time, tz=tz)
    if isinstance(parsed, Rejection):
        return refusal(422, parsed.reason)
    if parsed.recurrence is not None:
        return refusal(422, "侧边栏只设一次性的提醒；重复的提醒请在应用里发给我")
    once = request.headers.get("Idempotency-Key") or secrets.token_hex(8)
    external = profile.external_userid
    desk = deps.get(REMINDER_DESK)
    once_key = f"sidebar:{userid}:{once}"
    reminder = await desk.add(
        userid, external, profile.name, parsed.task, due=parsed.due, once=once_key
    )
    shown = cards.reminder_json(reminder, tz)
    await deps.get(TIMELINE).record(external, userid, "reminder", now, {"reminder": shown})
    return answer(shown, status=201)


@routes.post("/sidebar/api/customers/{external_userid}/reminders/{reminder_id:\\d+}/done")
async def reminder_done(request: web.Request) -> web.Response:
    """Mark one of the staff member's reminders about the customer done."""

    async def done(request: web.Request, deps: Deps, userid: str, profile: Profile) -> web.Response:
        reminder_id = int(request.match_info["reminder_id"])
        desk = deps.get(REMINDER_DESK)
        mine = {r.id for r in await desk.open_about(userid, profile.external_userid)}
        if reminder_id not in mine or not await desk.done(userid, reminder_id):
            return refusal(404, "no such open reminder of yours about this customer")
        await deps.get(TIMELINE).record(
            profile.external_userid,
            userid,
            "reminder_done",
            deps.clock.now(),
            {"reminder_id": reminder_id},
        )
        return answer({"reminder_id": reminder_id, "done": True})

    return await customer_call(request, done)


@routes.post("/sidebar/api/customers/{external_userid}/dnd")
async def do_not_disturb(request: web.Request) -> web.Response:
    """Set or lift do-not-disturb (group sends skip the customer)."""
    return await customer_call(request, _set_dnd)


async def _set_dnd(request: web.Request, deps: Deps, userid: str, profile: Profile) -> web.Response:
    body = await json_body(request)
    if isinstance(body, web.Response):
        return body
    on, reason = body.get("on"), body.get("reason", "")
    if not isinstance(on, bool) or not isinstance(reason, str):
        return refusal(400, "on must be true or false, reason a string")
    dnd, now, external = deps.get(DO_NOT_DISTURB), deps.clock.now(), profile.external_userid
    if on:
        changed = await dnd.add(external, reason or f"sidebar:{userid}", now)
    else:
        changed = await dnd.remove(external)
    if changed:
        await deps.get(TIMELINE).record(external, userid, "dnd", now, {"on": on, "reason": reason})
    return answer({"do_not_disturb": on, "changed": changed})


@routes.get("/sidebar/api/groups/{chat_id}")
@timed
async def group(request: web.Request) -> web.Response:
    """The group card."""
    deps, userid = deps_of(request), staff_of(request)
    if userid is None:
        return refusal(401, "sign in through /sidebar/ first")
    seen = await visible_group(deps, request.match_info["chat_id"], userid)
    if seen is None:
        return refusal(403, "not a group of yours")
    return answer(await cards.group_card(deps, *seen))


async def visible_group(
    deps: Deps, chat_id: str, userid: str
) -> tuple[GroupView, list[MemberView]] | None:
    """The group and its members, if siyu knows it and ``userid`` may see it."""
    book = deps.get(GROUP_BOOK)
    found = await book.group(chat_id)
    members = list(await book.members(chat_id)) if found else []
    if found is None or not access.may_see_group(deps.settings.sidebar, found, members, userid):
        return None
    return found, members
