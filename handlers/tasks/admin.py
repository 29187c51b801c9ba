"""/api/v1/tasks: group tasks (create, list, show, cancel, refresh).

POST /api/v1/tasks takes a task spec as JSON (handlers/tasks/codec.py); tags may be names
(高意向, 意向/高意向) or ids. An ``Idempotency-Key`` header makes a retried POST return the
task the first one made. The task's WeCom calls are made by the workers (202 Accepted).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.admin.auth import error
from bot.deps import Deps
from bot.live import RUNTIME
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.customers.tags import TagCatalogue
from handlers.tasks import service
from handlers.tasks.codec import spec_from_json
from handlers.tasks.model import TaskSpecError
from handlers.tasks.tag_names import resolve_tags

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
