"""The steps of a task, each safe to repeat: advance (plan, create), track, finish, cancel.

``tick(deps, now)`` is the periodic job (every minute): for every open task it resumes
creation, prompts senders not yet prompted, polls progress every ``track_every_minutes``,
reminds laggards, and finishes the task (summary) when everyone sent or the deadline passed.
Planning, creating and cancelling hold the task's lock, so two processes never make the
same call; a crashed holder's lock expires after ``tasks.lock_seconds``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.store import keys
from bot.store.locks import Lock
from bot.wecom.errors import RateLimited, WeComAPIError, WeComUnavailable
from handlers.tasks.context import Campaigns
from handlers.tasks.creation import create_calls, plan, prompt_senders
from handlers.tasks.model import OPEN_STATES, TaskState
from handlers.tasks.nudges import cancel_calls, remind_laggards, send_summary
from handlers.tasks.records import CallState, TaskRecord
from handlers.tasks.tracking import poll

logger = logging.getLogger(__name__)

CANCEL_WAIT_SECONDS = 5.0


def _lock(campaigns: Campaigns, task_id: int) -> Lock:
    key = keys.task_lock(campaigns.deps.corp_id, task_id)
    return Lock(campaigns.deps.redis, key, campaigns.settings.lock_seconds)


async def advance(campaigns: Campaigns, task_id: int) -> str:
    """Plan the task if needed, make its remaining calls, prompt its senders. The outcome.

    RateLimited propagates (the worker defers the event); everything made stays made.
    """
    async with _lock(campaigns, task_id).held(wait_seconds=0) as held:
        if not held:
            return "busy"
        task = await campaigns.store.get(task_id)
        if task is not None and task.state is TaskState.ACTIVE:  # its prompts may be pending
            await prompt_senders(campaigns, task_id)
            return task.state.value
        if task is not None and task.state is TaskState.PLANNING:
            task = await plan(campaigns, task)
        if task is None or task.state is not TaskState.CREATING:
            return task.state.value if task is not None else "unknown task"
        outcome = await create_calls(campaigns, task)
        if outcome == "stopped":  # cancelled while the calls were being made
            return await _finish_cancel(campaigns, task_id)
        return outcome


async def cancel(campaigns: Campaigns, task_id: int) -> str:
    """Cancel a task: calls not made are skipped, calls not sent are cancelled in WeCom."""
    task = await campaigns.store.get(task_id)
    if task is None:
        return "unknown task"
    moved = await campaigns.store.move(
        task_id, campaigns.unix(), TaskState.CANCELLED, only_from=OPEN_STATES
    )
    if not moved:
        return f"already {task.state.value}"
    async with _lock(campaigns, task_id).held(wait_seconds=CANCEL_WAIT_SECONDS) as held:
        if not held:  # the creator stops before its next call and finishes the cancellation
            return "cancelling"
        return await _finish_cancel(campaigns, task_id)


async def _resume_cancel(campaigns: Campaigns, task: TaskRecord) -> str:
    """A cancellation whose holder died or was busy: finish it."""
    if task.ended_at:
        return TaskState.CANCELLED.value
    async with _lock(campaigns, task.id).held(wait_seconds=0) as held:
        return await _finish_cancel(campaigns, task.id) if held else "cancelling"


async def _finish_cancel(campaigns: Campaigns, task_id: int) -> str:
    task = await campaigns.store.get(task_id)
    if task is None:
        return "unknown task"
    await cancel_calls(campaigns, task, notify=True)
    counts = await campaigns.store.result_counts(task_id)
    await campaigns.end(
        task_id, TaskState.CANCELLED, counts=json.dumps(counts, separators=(",", ":"))
    )
    return TaskState.CANCELLED.value


async def tick(deps: Deps, now: datetime) -> dict[int, str]:
    """Everything due on every open task at ``now``; each task's outcome."""
    campaigns = Campaigns.of(deps, now)
    outcomes: dict[int, str] = {}
    for task_id in await campaigns.store.open_ids():
        try:
            outcomes[task_id] = await step(campaigns, task_id)
        except RateLimited as limited:  # the next tick tries again; nothing was lost
            logger.info("task %s: rate-limited on %s", task_id, limited.api)
            outcomes[task_id] = "rate-limited"
        except (WeComAPIError, WeComUnavailable) as exc:  # one task's trouble stops no other
            logger.warning("task %s: %s", task_id, exc)
            outcomes[task_id] = f"error: {exc}"
    return outcomes


async def step(campaigns: Campaigns, task_id: int, *, force_poll: bool = False) -> str:
    """What is due on one task now."""
    task = await campaigns.store.get(task_id)
    if task is None:
        await campaigns.store.forget_expired([task_id])
        return "gone"
    if task.state in {TaskState.PLANNING, TaskState.CREATING}:
        return await advance(campaigns, task_id)
    if task.state is TaskState.CANCELLED:
        return await _resume_cancel(campaigns, task)
    if task.state is not TaskState.ACTIVE:
        return task.state.value
    await prompt_senders(campaigns, task_id)
    if force_poll or _poll_due(campaigns, task):
        task = await poll(campaigns, task)
    reminded = await remind_laggards(campaigns, task)
    finished = await finish_if_due(campaigns, task)
    if finished is not None:
        return finished
    return f"reminded {','.join(reminded)}" if reminded else "tracking"


def _poll_due(campaigns: Campaigns, task: TaskRecord) -> bool:
    interval = timedelta(minutes=campaigns.settings.track_every_minutes).total_seconds()
    return campaigns.now().timestamp() >= task.polled_at + interval


async def finish_if_due(campaigns: Campaigns, task: TaskRecord) -> str | None:
    """Complete the task when everyone sent, close it at the deadline; summary either way."""
    now = campaigns.now()
    past_deadline = now >= task.spec.deadline
    if past_deadline and task.polled_at < task.spec.deadline.timestamp():
        task = await poll(campaigns, task)  # the last look counts what was sent in time
    if await _complete(campaigns, task):
        state = TaskState.COMPLETED
    elif past_deadline:
        if campaigns.settings.cancel_at_deadline:
            await cancel_calls(campaigns, task, notify=True)
        state = TaskState.CLOSED
    else:
        return None
    ended = dataclasses.replace(task, state=state)
    await send_summary(campaigns, ended)
    await campaigns.end(task.id, state)
    logger.info("task %s %s: %s", task.id, state.value, dict(task.counts))
    return state.value


async def _complete(campaigns: Campaigns, task: TaskRecord) -> bool:
    """Every created call sent, and every target's result known."""
    made = [c for c in await campaigns.store.calls(task.id) if c.state == CallState.CREATED.value]
    return bool(made) and all(c.sent and c.results_final for c in made)
