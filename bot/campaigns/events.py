"""siyu's own events for group tasks and customer groups, queued like WeCom's callbacks.

They travel through the event stream as XML of kinds WeCom never sends, so a worker runs
them with the same retries, rate-limit deferrals (RateLimited) and dead letters as the rest.

- ``siyu_task_step``: advance one task (plan it, make its calls). Queued when a task is
  created; its dedup key carries the enqueue time, so a later nudge is a new event.
- ``siyu_campaigns_tick``: the periodic job (tasks and group digests/SOP) of one time slot.
  The scheduler leader queues one per slot; the slot in the dedup key makes a repeat by a
  deposed leader a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Final

from bot.callbacks import message_xml
from bot.events.base import Event, Fields, common, composite_key, integer, unix
from bot.queue import EventQueue

TASK_STEP: Final = "siyu_task_step"
TICK: Final = "siyu_campaigns_tick"
SENDER: Final = "siyu"  # not a WeCom userid: marks the event as siyu's own


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskStep(Event):
    """Advance group task ``task_id`` (queued at ``queued_ms``)."""

    kind: ClassVar[str] = "task_step"
    task_id: int
    queued_ms: int

    @property
    def dedup_key(self) -> str:
        """The task and when it was queued."""
        return composite_key("task_step", self.task_id, self.queued_ms)


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignsTick(Event):
    """The periodic work due at ``slot`` (Unix seconds of the slot's start)."""

    kind: ClassVar[str] = "campaigns_tick"
    slot: int

    @property
    def dedup_key(self) -> str:
        """One per slot."""
        return composite_key("campaigns_tick", self.slot)


def build_task_step(fields: Fields) -> TaskStep:
    """The registry's builder (bot/events/registry.py)."""
    return TaskStep(
        **common(fields), task_id=integer(fields, "TaskId"), queued_ms=integer(fields, "QueuedMs")
    )


def build_tick(fields: Fields) -> CampaignsTick:
    """The registry's builder."""
    return CampaignsTick(**common(fields), slot=integer(fields, "Slot"))


def task_step_xml(corp_id: str, task_id: int, now: datetime) -> tuple[str, str]:
    """The queued form of a TaskStep, and its dedup key."""
    queued_ms = int(now.timestamp() * 1000)
    xml = message_xml({
        "ToUserName": corp_id, "FromUserName": SENDER, "CreateTime": unix(now),
        "MsgType": "event", "Event": TASK_STEP, "TaskId": task_id, "QueuedMs": queued_ms,
    })  # fmt: skip
    return xml, composite_key("task_step", task_id, queued_ms)


def tick_xml(corp_id: str, slot: int, now: datetime) -> tuple[str, str]:
    """The queued form of a CampaignsTick for ``slot``, and its dedup key."""
    xml = message_xml({
        "ToUserName": corp_id, "FromUserName": SENDER, "CreateTime": unix(now),
        "MsgType": "event", "Event": TICK, "Slot": slot,
    })  # fmt: skip
    return xml, composite_key("campaigns_tick", slot)


async def enqueue_tick(queue: EventQueue, corp_id: str, app: str, now: datetime,
                       slot_seconds: int = 60) -> str | None:  # fmt: skip
    """Queue the tick of ``now``'s slot (what the scheduler leader calls every minute).

    None when that slot's tick was queued already (by this or a deposed leader).
    """
    slot = int(now.timestamp()) // slot_seconds * slot_seconds
    xml, dedup_key = tick_xml(corp_id, slot, now)
    return await queue.enqueue(app, CampaignsTick.kind, dedup_key, xml)
