"""Group tasks: a worker advances a task (plans it, makes its WeCom calls); tasks' part of
the minute tick (bot/events/ticks.py).

RateLimited from WeCom (45009/45033) propagates: the worker defers the event, and the task's
stored progress makes the retry carry on where it stopped, without repeating a call.
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.dispatch import Router
from bot.events.tasks import TaskStep
from bot.events.ticks import MinuteTick
from handlers.tasks import jobs
from handlers.tasks.context import Campaigns

logger = logging.getLogger(__name__)

router = Router(name="campaigns")


@router.on(TaskStep)
async def advance_task(event: TaskStep, deps: Deps) -> None:
    """Plan the task if needed and make its remaining add_msg_template calls."""
    outcome = await jobs.advance(Campaigns.of(deps), event.task_id)
    logger.info("task %s: %s", event.task_id, outcome)


@router.on(MinuteTick)
async def run_tick(event: MinuteTick, deps: Deps) -> None:
    """Tasks' periodic work of one slot: open tasks' tracking, laggards, deadlines."""
    outcomes = await jobs.tick(deps, deps.clock.now())
    logger.info("tick %s: tasks %s", event.slot, outcomes)
