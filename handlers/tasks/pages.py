"""群发任务 in the console: tasks with their progress, a task's senders, the create form whose
audience (tags all/any/none, staff, channel) is counted live by the dry run as the operator
types (htmx posts the form to ``/audience``), create and cancel."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import ValidationError

from bot.admin.audit import Audit
from bot.admin.roles import Role
from bot.deps import Deps
from bot.live import RUNTIME
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, refusal, render, viewer
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.customers.components import TAG_CATALOGUE
from handlers.tasks import creation, service
from handlers.tasks.admin import TaskRequest
from handlers.tasks.codec import spec_from_json
from handlers.tasks.context import Campaigns
from handlers.tasks.model import OPEN_STATES, TaskSpec, TaskSpecError
from handlers.tasks.tag_names import resolve_tags

pages = Pages("tasks", Path(__file__).with_name("templates"))
ROOT: Final = "/console/tasks"
LISTED: Final = 100
FIELDS: Final = (
    "title",
    "text",
    "deadline",
    "tags_all",
    "tags_any",
    "tags_none",
    "staff",
    "channel",
    "everyone",
)
_LISTS: Final = {
    "tags_all": "all_tags",
    "tags_any": "any_tags",
    "tags_none": "no_tags",
    "staff": "staff",
    "channel": "channels",
}
_TAGS: Final = ("all_tags", "any_tags", "no_tags")


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _names(text: str) -> list[str]:
    return [part for part in (p.strip() for p in re.split(r"[,，]+", text)) if part]


def _deadline(deps: Deps, text: str) -> str:
    """A datetime-local value (the corp's time zone) as ISO 8601 with its offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # the model says what is wrong with it
    return moment.replace(tzinfo=ZoneInfo(deps.settings.timezone)).isoformat()


async def spec_of(deps: Deps, values: dict[str, str], *, audience_only: bool = False) -> TaskSpec:
    """The task the form describes: validated by the admin API's model, tag names resolved
    (ValidationError, TaskSpecError; WeCom's errors while looking tags up).

    ``audience_only`` (the live count): a missing deadline or text does not matter yet."""
    customers: dict[str, Any] = {key: _names(values[field]) for field, key in _LISTS.items()}
    customers["everyone"] = values["everyone"] == "1"
    deadline = values["deadline"]
    if audience_only and not deadline:
        deadline = (deps.clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    text = values["text"] or ("-" if audience_only else "")
    raw = TaskRequest.model_validate(
        {
            "title": values["title"],
            "content": {"text": text, "attachments": []},
            "deadline": _deadline(deps, deadline),
            "customers": customers,
        }
    ).model_dump(mode="json")
    catalogue = deps.get(TAG_CATALOGUE)
    api = deps.api(deps.settings.tasks.app)
    for key in _TAGS:
        if raw["customers"][key]:
            raw["customers"][key] = list(await resolve_tags(raw["customers"][key], catalogue, api))
    return spec_from_json(raw)


async def _values(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {name: str(form.get(name, "")).strip() for name in FIELDS}


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    if isinstance(exc, (WeComAPIError, WeComUnavailable)):
        return [zh_cn()("tasks.upstream")]
    return [str(exc)]


@pages.get(ROOT)
async def task_list(request: web.Request) -> web.StreamResponse:
    """The newest tasks with their progress."""
    tasks = await service.listing(_deps(request), LISTED)
    return render(request, "tasks/list.html", {"nav": "tasks", "tasks": tasks})


@pages.get(f"{ROOT}/new", role=Role.OPERATOR)
async def new_task(request: web.Request) -> web.StreamResponse:
    """The create form (operators)."""
    return _form(request, dict.fromkeys(FIELDS, ""), [])


def _form(
    request: web.Request, values: dict[str, str], errors: list[str], status: int = 200
) -> web.Response:
    return render(
        request,
        "tasks/new.html",
        {"nav": "tasks", "values": values, "errors": errors},
        status=status,
    )


@pages.post(f"{ROOT}/audience")
async def task_audience(request: web.Request) -> web.StreamResponse:
    """The live count (a fragment): the dry run of the audience the form describes."""
    deps = _deps(request)
    try:
        spec = await spec_of(deps, await _values(request), audience_only=True)
        campaigns = Campaigns.of(deps)
        found = await creation.targets(campaigns, spec.checked(campaigns.now()))
    except (ValidationError, TaskSpecError, WeComAPIError, WeComUnavailable) as exc:
        return render(request, "tasks/audience.html", {"problems": _problems(exc)})
    return render(
        request,
        "tasks/audience.html",
        {
            "problems": [],
            "found": found,
            "targets": len(found.senders),
            "per_sender": Counter(found.senders.values()).most_common(),
        },
    )


@pages.post(f"{ROOT}/new")
async def create_task(request: web.Request) -> web.StreamResponse:
    """Create the task; the workers make its WeCom calls."""
    deps, values = _deps(request), await _values(request)
    actor = viewer(request).actor
    try:
        spec = await spec_of(deps, values)
        task_id, _ = await service.create(deps, spec, created_by=actor)
    except (ValidationError, TaskSpecError, WeComAPIError, WeComUnavailable) as exc:
        return _form(request, values, _problems(exc), status=422)
    await Audit(deps.redis, deps.corp_id).record(
        deps.clock.now(), actor, f"POST {ROOT}/new", f"tasks/{task_id}", values
    )
    raise web.HTTPSeeOther(f"{ROOT}/{task_id}?done=created")


def _task_id(request: web.Request) -> int | None:
    text = request.match_info["task_id"]
    return int(text) if text.isdigit() and len(text) < 16 else None  # noqa: PLR2004


def _not_found(request: web.Request) -> web.Response:
    t = zh_cn()
    return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)


@pages.get(ROOT + "/{task_id}")
async def task_page(request: web.Request) -> web.StreamResponse:
    """A task: its state, progress and each sender's."""
    task_id = _task_id(request)
    state = await service.state(_deps(request), task_id) if task_id is not None else None
    if state is None:
        return _not_found(request)
    notice = {"created": "tasks.created", "cancel": "tasks.cancel_done"}.get(
        request.query.get("done", "")
    )
    open_ = state["state"] in {s.value for s in OPEN_STATES}
    return render(
        request, "tasks/task.html", {"nav": "tasks", "task": state, "notice": notice, "open": open_}
    )


@pages.post(ROOT + "/{task_id}/cancel")
async def cancel_task(request: web.Request) -> web.StreamResponse:
    """Cancel a task (its calls not yet made are not made)."""
    task_id, deps = _task_id(request), _deps(request)
    outcome = await service.cancel(deps, task_id) if task_id is not None else "unknown task"
    if outcome == "unknown task":
        return _not_found(request)
    await Audit(deps.redis, deps.corp_id).record(
        deps.clock.now(),
        viewer(request).actor,
        f"POST {ROOT}/cancel",
        f"tasks/{task_id}",
        {"outcome": outcome},
    )
    raise web.HTTPSeeOther(f"{ROOT}/{task_id}?done=cancel")
