"""The scheduler leader queues the minute tick, once per minute whoever leads; a tick queued
under the old wire name (siyu_campaigns_tick, before the rename) is still a MinuteTick."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.callbacks import message_xml
from bot.clock import ManualClock
from bot.events import parse_event
from bot.events.ticks import MinuteTick, enqueue_minute_tick, minute_tick_xml
from bot.queue import EventQueue
from tests.conftest import make_settings
from tests.support.wecom import eventually

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]

NOW = datetime(2026, 11, 24, 1, 2, 30, tzinfo=UTC)
SLOT = int(datetime(2026, 11, 24, 1, 2, tzinfo=UTC).timestamp())


def old_tick_xml(corp_id: str, slot: int, now: datetime) -> str:
    """What the scheduler queued before the rename (bot/events/tasks.py tick_xml)."""
    return message_xml(
        {
            "ToUserName": corp_id,
            "FromUserName": "siyu",
            "CreateTime": int(now.timestamp()),
            "MsgType": "event",
            "Event": "siyu_campaigns_tick",
            "Slot": slot,
        }
    )


async def test_the_leader_queues_one_minute_tick_per_minute(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock, redis: Redis
) -> None:
    settings = make_settings(redis_url, reminders={"poll_seconds": 0.05, "renew_seconds": 0.2})
    await aiohttp_client(create_app(settings, role=Role.SCHEDULER, clock=clock))
    queue = EventQueue(redis, settings.wecom.corp_id)

    async def ticked() -> bool:
        return any(fields["kind"] == "minute_tick" for _id, fields in await queue.peek())

    await eventually(ticked)
    ticks = [f for _id, f in await queue.peek() if f["kind"] == "minute_tick"]
    assert len(ticks) == 1, "one tick for this minute, however often the job runs"
    assert isinstance(parse_event(ticks[0]["xml"]), MinuteTick)
    assert "<Event><![CDATA[siyu_minute_tick]]></Event>" in ticks[0]["xml"]


def test_a_tick_of_the_old_wire_name_parses_to_a_minute_tick() -> None:
    old = parse_event(old_tick_xml("wwCORP", SLOT, NOW))
    new = parse_event(minute_tick_xml("wwCORP", SLOT, NOW)[0])
    assert isinstance(old, MinuteTick)
    assert old == new
    assert old.slot == SLOT
    assert old.dedup_key == new.dedup_key == minute_tick_xml("wwCORP", SLOT, NOW)[1]


async def test_an_old_tick_still_queued_is_a_minute_tick_and_holds_its_slot(
    redis: Redis, redis_url: str
) -> None:
    settings = make_settings(redis_url)
    corp = settings.wecom.corp_id
    queue = EventQueue(redis, corp)
    # queued by a leader of the previous version: old kind, old wire name, the slot's key
    _xml, dedup_key = minute_tick_xml(corp, SLOT, NOW)
    assert (
        await queue.enqueue("default", "campaigns_tick", dedup_key, old_tick_xml(corp, SLOT, NOW))
        is not None
    )

    [(_id, fields)] = await queue.peek()
    event = parse_event(fields["xml"])
    assert isinstance(event, MinuteTick)
    assert event.slot == SLOT
    assert event.dedup_key == fields["dedup"]
    # a new-version leader in the same minute (a rolling deployment) does not repeat the slot
    assert await enqueue_minute_tick(queue, corp, "default", NOW) is None
    assert len(await queue.peek()) == 1
