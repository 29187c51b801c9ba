"""JS-SDK tickets against the sandbox over real HTTP: cached, shared, refreshed, capped."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.wecom.errors import RateLimited
from bot.wecom.tickets import TicketPolicy, Tickets
from tests.bot.wecom.conftest import Harness

APIS = ("get_jsapi_ticket", "ticket/get")


async def fetches(harness: Harness, since: int = 0) -> dict[str, list[dict[str, Any]]]:
    entries = await harness.sandbox.outbox(since=str(since))
    return {api: [e for e in entries if e["api"] == api] for api in APIS}


async def last_seq(harness: Harness) -> int:
    return max((int(e["seq"]) for e in await harness.sandbox.outbox()), default=0)


def processes(harness: Harness, redis: Redis, count: int) -> list[Tickets]:
    """``count`` siyu processes' ticket caches (each its own memory, one Redis)."""
    corp = harness.settings.wecom.corp_id
    return [Tickets(redis, harness.api.client, corp, harness.sandbox.clock) for _ in range(count)]


async def page_load(tickets: Tickets) -> tuple[str, str]:
    return await tickets.corp.ticket(), await tickets.app.ticket()


async def test_fifty_concurrent_page_loads_fetch_one_ticket_of_each_kind(
    harness: Harness, redis: Redis
) -> None:
    caches = processes(harness, redis, 5)  # 5 processes, 10 page loads each
    loads = await asyncio.gather(*(page_load(caches[i % 5]) for i in range(50)))
    assert len(set(loads)) == 1
    corp_ticket, app_ticket = loads[0]
    assert corp_ticket != app_ticket
    found = await fetches(harness)
    assert [len(found[api]) for api in APIS] == [1, 1]
    assert found["ticket/get"][0]["body"] == {"type": "agent_config"}


async def test_fifty_loads_after_expiry_and_ahead_of_it_refetch_once(
    harness: Harness, redis: Redis
) -> None:
    caches = processes(harness, redis, 5)
    first = await page_load(caches[0])
    # within the 300 s margin (WeCom answers the same ticket while valid), then past expiry
    for advance, renewed in ((7000, False), (7300, True)):
        harness.sandbox.clock.advance(timedelta(seconds=advance))
        mark = await last_seq(harness)
        loads = await asyncio.gather(*(page_load(caches[i % 5]) for i in range(50)))
        assert len(set(loads)) == 1 and (loads[0] != first) == renewed
        found = await fetches(harness, mark)
        assert [len(found[api]) for api in APIS] == [1, 1]


async def test_over_the_hourly_cap_a_valid_ticket_is_kept_and_none_is_fetched(
    harness: Harness, redis: Redis
) -> None:
    corp = harness.settings.wecom.corp_id
    policy = TicketPolicy(corp_per_hour=1, app_per_hour=1)
    tickets = Tickets(redis, harness.api.client, corp, harness.sandbox.clock, policy)
    first = await page_load(tickets)
    harness.sandbox.clock.advance(timedelta(seconds=7000))  # due for refresh, still valid
    fresh = Tickets(redis, harness.api.client, corp, harness.sandbox.clock, policy)
    assert await page_load(fresh) == first
    harness.sandbox.clock.advance(timedelta(seconds=300))  # now expired, and the cap is full
    with pytest.raises(RateLimited):
        await Tickets(redis, harness.api.client, corp, harness.sandbox.clock, policy).corp.ticket()
    found = await fetches(harness)
    assert [len(found[api]) for api in APIS] == [1, 1]
