"""What the CLI and the admin API call: create, list, show, cancel, and the state as JSON."""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from typing import Any, Final

from bot.deps import Deps
from bot.events.tasks import task_step_xml
from handlers.tasks import jobs
from handlers.tasks.codec import spec_to_json
from handlers.tasks.context import Campaigns
from handlers.tasks.model import TaskSpec
from handlers.tasks.records import CallState, TaskRecord

STEP_KIND: Final = "task_step"


async def create(
    deps: Deps, spec: TaskSpec, *, created_by: str = "", request_key: str = ""
) -> tuple[int, bool]:
    """Store a new task and queue its first step; (id, False) for a repeated request.

    Raises TaskSpecError for a spec WeCom would refuse.
    """
    campaigns = Campaigns.of(deps)
    spec.checked(campaigns.now())
    task_id, new = await campaigns.store.create(spec, campaigns.unix(), created_by, request_key)
    if new:
        await queue_step(deps, task_id)
    return task_id, new


async def queue_step(deps: Deps, task_id: int) -> str | None:
    """Queue a worker's step on ``task_id`` (plan, make the calls); the stream entry id."""
    xml, dedup_key = task_step_xml(deps.corp_id, task_id, deps.clock.now())
    queue = deps.queue
    return await queue.enqueue(deps.settings.tasks.app, STEP_KIND, dedup_key, xml)


async def make_calls(deps: Deps, task_id: int, wait_seconds: float = 60.0) -> str:
    """Plan the task and make its calls now, or wait while a worker does; the outcome.

    RateLimited and WeCom's errors propagate (the queued step carries on in the workers).
    """
    campaigns = Campaigns.of(deps)
    outcome = await jobs.advance(campaigns, task_id)
    deadline = time.monotonic() + wait_seconds
    while outcome == "busy" and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        task = await campaigns.store.get(task_id)
        if task is None or task.state.value not in {"planning", "creating"}:
            return task.state.value if task is not None else "unknown task"
    return outcome


async def cancel(deps: Deps, task_id: int) -> str:
    """Cancel a task; what happened (cancelled, cancelling, already ..., unknown task)."""
    return await jobs.cancel(Campaigns.of(deps), task_id)


async def refresh(deps: Deps, task_id: int) -> str:
    """Run what is due on a task now, polling WeCom whatever the interval."""
    return await jobs.step(Campaigns.of(deps), task_id, force_poll=True)


async def listing(deps: Deps, limit: int = 50) -> list[dict[str, Any]]:
    """The newest tasks, newest first, in brief."""
    campaigns = Campaigns.of(deps)
    shown = []
    gone = []
    for task_id in await campaigns.store.ids(limit):
        task = await campaigns.store.get(task_id)
        if task is None:
            gone.append(task_id)
            continue
        shown.append(brief(task))
    await campaigns.store.forget_expired(gone)
    return shown


def brief(task: TaskRecord) -> dict[str, Any]:
    """A task in one JSON object, without its per-staff detail."""
    sent = task.counts.get("sent", 0)
    return {
        "id": task.id,
        "title": task.spec.title,
        "state": task.state.value,
        "chat_type": task.spec.chat_type,
        "deadline": task.spec.deadline.isoformat(),
        "created_at": task.created_at,
        "targets": task.planned,
        "sent": sent,
        "progress": round(sent / task.planned, 4) if task.planned else 0.0,
    }


async def state(deps: Deps, task_id: int) -> dict[str, Any] | None:
    """Everything about a task as JSON: spec, plan, calls, each sender's progress, counts."""
    campaigns = Campaigns.of(deps)
    task = await campaigns.store.get(task_id)
    if task is None:
        return None
    calls = await campaigns.store.calls(task_id)
    staff = await campaigns.store.staff(task_id)
    senders = []
    for record in sorted(staff.values(), key=lambda s: s.userid):
        own = [c for c in calls if c.sender == record.userid]
        targets = [t for c in own for t in await campaigns.store.targets(task_id, c.index)]
        results = await campaigns.store.results(task_id, targets)
        senders.append(
            {
                **asdict(record),
                "status": record.status,
                "sent_targets": sum(1 for s in results.values() if s == 1),
            }
        )
    return {
        **brief(task),
        "spec": spec_to_json(task.spec),
        "created_by": task.created_by,
        "matched": task.matched,
        "excluded": asdict(task.exclusions),
        "counts": dict(task.counts),
        "polled_at": task.polled_at,
        "summary_at": task.summary_at,
        "ended_at": task.ended_at,
        "error": task.error,
        "calls": [asdict(c) for c in calls],
        "msgids": [c.msgid for c in calls if c.state == CallState.CREATED.value],
        "staff": senders,
    }
