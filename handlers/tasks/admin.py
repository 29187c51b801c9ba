"""/api/v1/tasks: group tasks (create, list, show, cancel, refresh).

POST /api/v1/tasks takes a task spec as JSON (``TaskRequest``; handlers/tasks/codec.py); tags
may be names (高意向, 意向/高意向) or ids. An ``Idempotency-Key`` header makes a retried POST
return the task the first one made. The task's WeCom calls are made by the workers (202).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any, Literal

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bot.admin.endpoints import Endpoints, body, path_params, principal, query, record_change
from bot.admin.errors import ApiError, not_found, upstream
from bot.deps import Deps
from bot.live import RUNTIME
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.customers.components import TAG_CATALOGUE
from handlers.tasks import creation, service
from handlers.tasks.codec import spec_from_json
from handlers.tasks.context import Campaigns
from handlers.tasks.model import TaskSpecError
from handlers.tasks.splitting import limit_for, split
from handlers.tasks.tag_names import resolve_tags

routes = Endpoints()
_TAG_LISTS = ("all_tags", "any_tags", "no_tags")
Names = list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContentIn(_Strict):
    """What the customers get: a text and WeCom attachments (image, link, miniprogram...)."""

    text: str = Field(default="", max_length=4000)
    attachments: list[dict[str, Any]] = Field(default=[], max_length=9)


class CustomersIn(_Strict):
    """Which customers: everyone, or tags (names or ids), channels, first-added range, staff."""

    everyone: bool = False
    all_tags: Names = []
    any_tags: Names = []
    no_tags: Names = []
    channels: Names = []
    staff: Names = []
    added_from: AwareDatetime | None = None
    added_until: AwareDatetime | None = None


class GroupsIn(_Strict):
    """Which customer groups: everyone, or owners, labels, chat ids."""

    everyone: bool = False
    owners: Names = []
    labels: Names = []
    chat_ids: Names = []


class TaskRequest(_Strict):
    """A group task to create: customers or groups, content, a deadline with a time zone."""

    title: str = Field(default="", max_length=200)
    content: ContentIn
    deadline: AwareDatetime
    customers: CustomersIn | None = None
    groups: GroupsIn | None = None
    operator: str = ""
    source: Literal["wecom", "store"] = "wecom"


class TaskListQuery(BaseModel):
    """How many of the newest tasks."""

    limit: int = Field(default=50, ge=1, le=500)


class TaskPath(BaseModel):
    """A task's number."""

    task_id: int = Field(ge=0, le=2**53)


class TaskCreated(BaseModel):
    """The task's number; ``created`` is false when an earlier request made it."""

    id: int
    created: bool


class Outcome(BaseModel):
    """What a cancel did: cancelled, cancelling, already <state>."""

    outcome: str


class Refreshed(Outcome):
    """What a refresh did, and the task after it."""

    task: dict[str, Any]


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


async def _with_tag_ids(deps: Deps, raw: dict[str, Any]) -> dict[str, Any]:
    customers = raw.get("customers")
    if not isinstance(customers, dict):
        return raw
    catalogue = deps.get(TAG_CATALOGUE)
    api = deps.api(deps.settings.tasks.app)
    resolved = dict(customers)
    for name in _TAG_LISTS:
        if customers.get(name):
            resolved[name] = list(await resolve_tags(customers[name], catalogue, api))
    return {**raw, "customers": resolved}


@routes.get("/api/v1/tasks", query=TaskListQuery, answer=list[dict[str, Any]])
async def list_tasks(request: web.Request) -> web.Response:
    """The newest tasks in brief."""
    limit = query(request, TaskListQuery).limit
    return web.json_response(await service.listing(_deps(request), limit))


@routes.post("/api/v1/tasks", body=TaskRequest, answer=TaskCreated, status=202, errors=(503,))
async def create_task(request: web.Request) -> web.Response:
    """Create a task → 202 {id, created}; its calls are made by the workers."""
    deps = _deps(request)
    raw = body(request, TaskRequest).model_dump(mode="json")
    try:
        spec = spec_from_json(await _with_tag_ids(deps, raw))
        task_id, created = await service.create(
            deps,
            spec,
            created_by=principal(request).actor,
            request_key=request.headers.get("Idempotency-Key", ""),
        )
    except TaskSpecError as exc:
        raise ApiError(422, str(exc)) from exc
    except (WeComAPIError, WeComUnavailable) as exc:  # looking up tag names
        raise upstream(exc) from exc
    record_change(request, f"tasks/{task_id}", raw if created else None)
    return web.json_response({"id": task_id, "created": created}, status=202)


class DryRun(BaseModel):
    """What a task would do, nothing stored or sent."""

    matched: int
    targets: int
    calls: int
    per_sender: dict[str, int]
    exclusions: dict[str, int]
    sample: list[str]


@routes.post("/api/v1/tasks/dry-run", body=TaskRequest, answer=DryRun, errors=(503,), audited=False)
async def dry_run_task(request: web.Request) -> web.Response:
    """The audience a task would reach (size, per sender, a sample): nothing is stored."""
    deps = _deps(request)
    raw = body(request, TaskRequest).model_dump(mode="json")
    try:
        spec = spec_from_json(await _with_tag_ids(deps, raw))
        campaigns = Campaigns.of(deps)
        found = await creation.targets(campaigns, spec.checked(campaigns.now()))
    except TaskSpecError as exc:
        raise ApiError(422, str(exc)) from exc
    except (WeComAPIError, WeComUnavailable) as exc:
        raise upstream(exc) from exc
    per_sender = Counter(found.senders.values())
    chunks = split(found.senders, limit_for(spec.chat_type))
    return web.json_response(
        {
            "matched": found.matched,
            "targets": len(found.senders),
            "calls": len(chunks),
            "per_sender": dict(per_sender.most_common()),
            "exclusions": asdict(found.exclusions),
            "sample": sorted(found.senders)[:10],
        }
    )


@routes.get("/api/v1/tasks/{task_id}", path_model=TaskPath, answer=dict[str, Any])
async def show_task(request: web.Request) -> web.Response:
    """A task in full: spec, plan, calls and msgids, each sender's progress, counts."""
    state = await service.state(_deps(request), path_params(request, TaskPath).task_id)
    if state is None:
        raise not_found("task")
    return web.json_response(state)


@routes.post("/api/v1/tasks/{task_id}/cancel", path_model=TaskPath, answer=Outcome)
async def cancel_task(request: web.Request) -> web.Response:
    """Cancel a task → {outcome}: cancelled, cancelling, already <state>."""
    task_id = path_params(request, TaskPath).task_id
    outcome = await service.cancel(_deps(request), task_id)
    if outcome == "unknown task":
        raise not_found("task")
    record_change(request, f"tasks/{task_id}", {"outcome": outcome})
    return web.json_response({"outcome": outcome})


@routes.post(
    "/api/v1/tasks/{task_id}/refresh", path_model=TaskPath, answer=Refreshed, errors=(503,)
)
async def refresh_task(request: web.Request) -> web.Response:
    """Ask WeCom for the task's progress now → {outcome, task}."""
    deps = _deps(request)
    task_id = path_params(request, TaskPath).task_id
    if await service.state(deps, task_id) is None:
        raise not_found("task")
    try:
        outcome = await service.refresh(deps, task_id)
    except (WeComAPIError, WeComUnavailable) as exc:
        raise upstream(exc) from exc
    state = await service.state(deps, task_id)
    if state is None:
        raise not_found("task")
    return web.json_response({"outcome": outcome, "task": state})
