"""Parse once (issue 13): the gateway queues the fields it parsed; workers type the event
from them without the XML, and still read entries queued in the old form (XML only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.callbacks import message_xml
from bot.clock import ManualClock
from bot.dispatch import Router
from bot.envelope import parse_fields
from bot.events import parse_event
from bot.events.registry import compact, event_from_compact
from bot.queue import EventQueue
from bot.store import keys
from config.settings import Settings
from tests.bot.test_events import KINDS
from tests.support import journal
from tests.support.wecom import contact_added, eventually, signed, text_message

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@pytest.mark.parametrize(("fields", "kind"), KINDS, ids=[k.__name__ for _, k in KINDS])
def test_the_compact_form_types_the_same_event_as_the_xml(
    fields: dict[str, str | int | list[str]], kind: type
) -> None:
    xml = message_xml(fields)
    event = event_from_compact(compact(parse_fields(xml)))
    assert type(event) is kind
    assert event == parse_event(xml)


def test_unknown_kinds_keep_their_dedup_key_through_the_compact_form() -> None:
    xml = message_xml({"ToUserName": "ww", "MsgType": "event", "Event": "brand_new", "X": "1"})
    assert event_from_compact(compact(parse_fields(xml))).dedup_key == parse_event(xml).dedup_key


async def test_the_gateway_queues_the_fields_beside_the_xml(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock, redis: Redis
) -> None:
    client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
    xml = contact_added(settings, "wmONCE")
    callback = signed(settings, xml)
    assert (
        await client.post("/wecom/callback", params=callback.query, data=callback.body)
    ).status == 200
    [(_id, fields)] = await EventQueue(redis, settings.wecom.corp_id).peek()
    assert event_from_compact(fields["fields"]) == parse_event(xml)
    [(_id, express)] = await EventQueue(redis, settings.wecom.corp_id, lane="express").peek()
    assert express["fields"] == fields["fields"]


async def test_workers_use_the_fields_and_still_read_entries_of_the_old_form(
    aiohttp_client: ClientFactory, settings: Settings, redis: Redis
) -> None:
    corp = settings.wecom.corp_id
    queue = EventQueue(redis, corp)
    await queue.ensure_group()
    new = text_message(settings, "new form")
    new_event = parse_event(new)
    # the XML is unreadable: only the queued fields can type this one
    await queue.enqueue(
        "default", new_event.kind, new_event.dedup_key, "<not xml", event=compact(parse_fields(new))
    )
    old = text_message(settings, "old form")
    old_event = parse_event(old)
    await queue.enqueue("default", old_event.kind, old_event.dedup_key, old)

    await aiohttp_client(
        create_app(
            settings, role=Role.WORKER, router=journal.router, express_router=Router("express")
        )
    )

    async def both_handled() -> bool:
        effects = await redis.hgetall(keys.demo_effects(corp))
        return effects == {new_event.dedup_key: "1", old_event.dedup_key: "1"}

    await eventually(both_handled, timeout=10)
    assert (await queue.stats()).dead == 0
