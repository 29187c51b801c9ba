"""The minute tick: siyu's own periodic event, queued like WeCom's callbacks.

The scheduler leader queues one per slot (every ``tasks.tick_seconds``, a minute by default);
a worker runs it with the same retries, rate-limit deferrals and dead letters as the rest.
Several routers follow it: group tasks and groups (handlers/tasks/router.py), live codes'
shift changes (handlers/intake/channels.py) and churn digests (handlers/intake/churn.py).

- wire name ``siyu_minute_tick`` (TICK); the registry still reads ``siyu_campaigns_tick``
  (LEGACY_TICK), the name of entries queued before the rename, as the same event;
- the dedup key is one per slot, so a repeat by a deposed leader is a no-op. Its text is the
  one used before the rename, so an old-version and a new-version leader of one rolling
  deployment dedupe each other's slot too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Final

from bot.callbacks import message_xml
from bot.events.base import Event, Fields, Wire, common, composite_key, integer, unix

if TYPE_CHECKING:
    from bot.queue import EventQueue

TICK: Final = "siyu_minute_tick"
LEGACY_TICK: Final = "siyu_campaigns_tick"  # queued before the rename; still parsed
SENDER: Final = "siyu"  # not a WeCom userid: marks the event as siyu's own
_DEDUP_PREFIX: Final = "campaigns_tick"  # unchanged by the rename: see the module docstring


def _dedup_key(slot: int) -> str:
    return composite_key(_DEDUP_PREFIX, slot)


@dataclass(frozen=True, slots=True, kw_only=True)
class MinuteTick(Event):
    """The periodic work due at ``slot`` (Unix seconds of the slot's start)."""

    kind: ClassVar[str] = "minute_tick"
    wires: ClassVar[tuple[Wire, ...]] = (("event", TICK, None), ("event", LEGACY_TICK, None))
    internal: ClassVar[bool] = True  # queued by siyu, never by WeCom
    slot: int

    @property
    def dedup_key(self) -> str:
        """One per slot."""
        return _dedup_key(self.slot)

    @classmethod
    def from_fields(cls, fields: Fields) -> MinuteTick:
        """From its queued fields."""
        return build_minute_tick(fields)


def build_minute_tick(fields: Fields) -> MinuteTick:
    """The registry's builder (bot/events/registry.py), for both wire names."""
    return MinuteTick(**common(fields), slot=integer(fields, "Slot"))


def minute_tick_xml(corp_id: str, slot: int, now: datetime) -> tuple[str, str]:
    """The queued form of a MinuteTick for ``slot``, and its dedup key."""
    xml = message_xml(
        {
            "ToUserName": corp_id,
            "FromUserName": SENDER,
            "CreateTime": unix(now),
            "MsgType": "event",
            "Event": TICK,
            "Slot": slot,
        }
    )
    return xml, _dedup_key(slot)


async def enqueue_minute_tick(
    queue: EventQueue, corp_id: str, app: str, now: datetime, slot_seconds: int = 60
) -> str | None:
    """Queue the tick of ``now``'s slot (what the scheduler leader calls every minute).

    None when that slot's tick was queued already (by this or a deposed leader).
    """
    slot = int(now.timestamp()) // slot_seconds * slot_seconds
    xml, dedup_key = minute_tick_xml(corp_id, slot, now)
    return await queue.enqueue(app, MinuteTick.kind, dedup_key, xml)
