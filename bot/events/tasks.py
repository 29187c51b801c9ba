"""siyu's own event for group tasks, queued like WeCom's callbacks.

It travels through the event stream as XML of a kind WeCom never sends, so a worker runs
it with the same retries, rate-limit deferrals (RateLimited) and dead letters as the rest.

- ``siyu_task_step``: advance one task (plan it, make its calls). Queued when a task is
  created; its dedup key carries the enqueue time, so a later nudge is a new event.

The periodic work of tasks and groups follows the generic minute tick (bot/events/ticks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Final

from bot.callbacks import message_xml
from bot.events.base import Event, Fields, Wire, common, composite_key, integer, unix

TASK_STEP: Final = "siyu_task_step"
SENDER: Final = "siyu"  # not a WeCom userid: marks the event as siyu's own


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskStep(Event):
    """Advance group task ``task_id`` (queued at ``queued_ms``)."""

    kind: ClassVar[str] = "task_step"
    wires: ClassVar[tuple[Wire, ...]] = (("event", TASK_STEP, None),)
    internal: ClassVar[bool] = True  # queued by siyu, never by WeCom
    task_id: int
    queued_ms: int

    @property
    def dedup_key(self) -> str:
        """The task and when it was queued."""
        return composite_key("task_step", self.task_id, self.queued_ms)

    @classmethod
    def from_fields(cls, fields: Fields) -> TaskStep:
        """From its queued fields."""
        return build_task_step(fields)


def build_task_step(fields: Fields) -> TaskStep:
    """The registry's builder (bot/events/registry.py)."""
    return TaskStep(
        **common(fields), task_id=integer(fields, "TaskId"), queued_ms=integer(fields, "QueuedMs")
    )


def task_step_xml(corp_id: str, task_id: int, now: datetime) -> tuple[str, str]:
    """The queued form of a TaskStep, and its dedup key."""
    queued_ms = int(now.timestamp() * 1000)
    xml = message_xml(
        {
            "ToUserName": corp_id,
            "FromUserName": SENDER,
            "CreateTime": unix(now),
            "MsgType": "event",
            "Event": TASK_STEP,
            "TaskId": task_id,
            "QueuedMs": queued_ms,
        }
    )
    return xml, composite_key("task_step", task_id, queued_ms)
