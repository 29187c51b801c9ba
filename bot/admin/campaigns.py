"""/api/v1/tasks: group tasks (create, list, show, cancel, refresh); /api/v1/groups: groups
(the registry, daily joins/quits by scene, import from WeCom, welcome templates' sync).

POST /api/v1/tasks takes a task spec as JSON (bot/campaigns/codec.py); tags may be names
(高意向, 意向/高意向) or ids. An ``Idempotency-Key`` header makes a retried POST return the
task the first one made. The task's WeCom calls are made by the workers (202 Accepted).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from aiohttp import web

from bot.admin.auth import error
from bot.campaigns import service
from bot.campaigns.codec import spec_from_json
from bot.campaigns.groups import membership, welcome
from bot.campaigns.groups.context import Groups
from bot.campaigns.model import TaskSpecError
from bot.campaigns.tag_names import resolve_tags
from bot.deps import Deps
from bot.runtime import RUNTIME
from bot.store.group_chats import GroupChat
from bot.store.tags import TagCatalogue
from bot.wecom.errors import WeComAPIError, WeComUnavailable

routes = web.RouteTableDef()
_TAG_LISTS = ("all_tags", "any_tags", "no_tags")


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _task_id(request: web.Request) -> int:
    try:
        return int(request.match_info["task_id"])
    except ValueError as exc:
        raise web.HTTPNotFound(
            text='{"error": "no such task"}', content_type="application/json"
        ) from exc


async def _with_tag_ids(deps: Deps, raw: dict[str, Any]) -> dict[str, Any]:
    customers = raw.get("customers")
    if not isinstance(customers, dict):
        return raw
    catalogue = TagCatalogue(deps.redis, deps.corp_id)
    api = deps.api(deps.settings.tasks.app)
    resolved = dict(customers)
    for name in _TAG_LISTS:
        value = customers.get(name) or []
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            resolved[name] = list(await resolve_tags(value, catalogue, api))
    return {**raw, "customers": resolved}


@routes.get("/api/v1/tasks")
async def list_tasks(request: web.Request) -> web.Response:
    """The newest tasks in brief (``?limit=`` up to 500)."""
    try:
        limit = min(int(request.query.get("limit", "50")), 500)
    except ValueError:
        return error(400, "limit must be an integer")
    return web.json_response(await service.listing(_deps(request), limit))


@routes.post("/api/v1/tasks")
async def create_task(request: web.Request) -> web.Response:
    """Create a task → 202 {id, created}; its calls are made by the workers."""
    deps = _deps(request)
    try:
        raw = await request.json()
    except json.JSONDecodeError:
        return error(400, "the body must be JSON")
    if not isinstance(raw, dict):
        return error(400, "the body must be a JSON object")
    try:
        spec = spec_from_json(await _with_tag_ids(deps, raw))
        task_id, created = await service.create(
            deps, spec, created_by="admin", request_key=request.headers.get("Idempotency-Key", "")
        )
    except TaskSpecError as exc:
        return error(400, str(exc))
    except (WeComAPIError, WeComUnavailable) as exc:  # looking up tag names
        return error(503, f"WeCom: {exc}")
    return web.json_response({"id": task_id, "created": created}, status=202)


@routes.get("/api/v1/tasks/{task_id}")
async def show_task(request: web.Request) -> web.Response:
    """A task in full: spec, plan, calls and msgids, each sender's progress, counts."""
    state = await service.state(_deps(request), _task_id(request))
    return error(404, "no such task") if state is None else web.json_response(state)


@routes.post("/api/v1/tasks/{task_id}/cancel")
async def cancel_task(request: web.Request) -> web.Response:
    """Cancel a task → {outcome}: cancelled, cancelling, already <state>."""
    outcome = await service.cancel(_deps(request), _task_id(request))
    if outcome == "unknown task":
        return error(404, "no such task")
    return web.json_response({"outcome": outcome})


@routes.post("/api/v1/tasks/{task_id}/refresh")
async def refresh_task(request: web.Request) -> web.Response:
    """Ask WeCom for the task's progress now → {outcome, task}."""
    deps = _deps(request)
    task_id = _task_id(request)
    try:
        outcome = await service.refresh(deps, task_id)
    except (WeComAPIError, WeComUnavailable) as exc:
        return error(503, f"WeCom: {exc}")
    state = await service.state(deps, task_id)
    if state is None:
        return error(404, "no such task")
    return web.json_response({"outcome": outcome, "task": state})


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
