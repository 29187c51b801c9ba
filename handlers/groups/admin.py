"""/api/v1/groups: customer groups (the registry, daily joins/quits by scene, import from
WeCom, welcome templates' sync)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from bot.admin.auth import error
from bot.deps import Deps
from bot.live import RUNTIME
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.groups import membership, welcome
from handlers.groups.context import Groups
from handlers.groups.store import GroupChat

routes = web.RouteTableDef()


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _group_json(group: GroupChat) -> dict[str, Any]:
    return {**asdict(group), "admins": list(group.admins)}


@routes.get("/api/v1/groups")
async def list_groups(request: web.Request) -> web.Response:
    """The customer groups siyu knows."""
    groups = Groups.of(_deps(request))
    found = [await groups.registry.get(chat_id) for chat_id in await groups.registry.chat_ids()]
    return web.json_response([_group_json(g) for g in found if g is not None])


@routes.get("/api/v1/groups/stats")
async def group_stats(request: web.Request) -> web.Response:
    """Joins and quits by scene on a local day (``?day=YYYYMMDD``, default today;
    ``?chat_id=`` for one group)."""
    groups = Groups.of(_deps(request))
    day = request.query.get("day") or groups.day_of(groups.now())
    if not (day.isdigit() and len(day) == 8):  # noqa: PLR2004 - YYYYMMDD
        return error(400, "day must be YYYYMMDD")
    counts = await groups.counters.day(day, request.query.get("chat_id") or None)
    return web.json_response({"day": day, "counts": counts})


@routes.post("/api/v1/groups/import")
async def import_groups(request: web.Request) -> web.Response:
    """Fetch every group from WeCom into the registry → {imported}."""
    try:
        imported = await membership.import_all(Groups.of(_deps(request)))
    except (WeComAPIError, WeComUnavailable) as exc:
        return error(503, f"WeCom: {exc}")
    return web.json_response({"imported": imported})


@routes.get("/api/v1/groups/welcome-templates")
async def welcome_templates(request: web.Request) -> web.Response:
    """The group welcome templates siyu made: name → {template_id, digest}."""
    return web.json_response(await welcome.known_templates(Groups.of(_deps(request))))


@routes.post("/api/v1/groups/welcome-templates/sync")
async def sync_welcome_templates(request: web.Request) -> web.Response:
    """Make WeCom's group welcome templates match config/groups.toml → name: outcome."""
    try:
        outcome = await welcome.sync(Groups.of(_deps(request)))
    except (WeComAPIError, WeComUnavailable) as exc:
        return error(503, f"WeCom: {exc}")
    return web.json_response(outcome)


@routes.get("/api/v1/groups/{chat_id}")
async def show_group(request: web.Request) -> web.Response:
    """One group: owner, admins, labels' source, members with join time and scene."""
    groups = Groups.of(_deps(request))
    group = await groups.registry.get(request.match_info["chat_id"])
    if group is None:
        return error(404, "no such group")
    members = [asdict(m) for m in await groups.registry.members(group.chat_id)]
    labels = groups.rules.labels_of(group.chat_id, group.name)
    return web.json_response({**_group_json(group), "labels": labels, "members": members})
