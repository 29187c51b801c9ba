"""One customer lookup per add, shared by its handlers on both lanes (real Redis)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.events import ExternalContactAdded
from bot.store import keys
from bot.wecom.errors import WeComUnavailable
from handlers.intake.lookup import Snapshot, mark_lookups_slow, shared_lookup
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory
from tests.support.wecom import eventually


def added(clock: ManualClock, customer: str) -> ExternalContactAdded:
    return ExternalContactAdded(
        corp_id="ww",
        from_user="sys",
        create_time=clock.now(),
        user_id="zhangwei",
        external_user_id=customer,
        state="ch_poster_a",
        welcome_code="WC" + customer,
    )


class CountingFetch:
    """A lookup that answers ``answer`` (after ``release`` is set, if given); counts its runs."""

    def __init__(self, answer: Snapshot | None, release: asyncio.Event | None = None) -> None:
        self.answer = answer
        self.release = release
        self.started = asyncio.Event()
        self.calls = 0

    async def __call__(self) -> Snapshot | None:
        self.calls += 1
        self.started.set()
        if self.release is not None:
            await self.release.wait()
        return self.answer


async def slow_lookup(
    stack: Stack, event: ExternalContactAdded, answer: Snapshot
) -> tuple[asyncio.Task[tuple[bool, Snapshot | None]], asyncio.Event]:
    """A lookup in flight (it holds the lock) until the returned event is set."""
    release = asyncio.Event()
    fetch = CountingFetch(answer, release)
    task = asyncio.create_task(shared_lookup(stack.deps, event, fetch, 5.0))
    await asyncio.wait_for(fetch.started.wait(), timeout=5)
    return task, release


async def test_concurrent_handlers_of_one_add_look_up_once(
    stack: Stack, clock: ManualClock
) -> None:
    event = added(clock, "wmLOOKUPonce00001")
    fetch = CountingFetch({"external_contact": {"name": "刘洋"}})

    results = await asyncio.gather(
        *(shared_lookup(stack.deps, event, fetch, 2.0) for _ in range(5))
    )

    assert fetch.calls == 1
    assert results == [(True, {"external_contact": {"name": "刘洋"}})] * 5
    assert await shared_lookup(stack.deps, event, CountingFetch(None), 2.0) == results[0]


async def test_an_empty_outcome_is_shared_too(stack: Stack, clock: ManualClock) -> None:
    event = added(clock, "wmLOOKUPempty0001")
    await shared_lookup(stack.deps, event, CountingFetch(None), 2.0)
    again = CountingFetch({"external_contact": {"name": "x"}})
    assert await shared_lookup(stack.deps, event, again, 2.0) == (True, None)
    assert again.calls == 0, "the lookup was made: the caller decides whether to look again"


async def test_another_event_of_the_customer_does_not_share_the_outcome(
    stack: Stack, clock: ManualClock
) -> None:
    first = added(clock, "wmLOOKUPtwo000001")
    await shared_lookup(stack.deps, first, CountingFetch({"n": 1}), 2.0)
    later = ExternalContactAdded(
        corp_id="ww",
        from_user="sys",
        create_time=clock.now(),
        user_id="lina",
        external_user_id=first.external_user_id,
        state="ch_poster_a",
        welcome_code="WCo",
    )
    assert later.dedup_key != first.dedup_key
    fetch = CountingFetch({"n": 2})
    assert await shared_lookup(stack.deps, later, fetch, 2.0) == (True, {"n": 2})
    assert fetch.calls == 1


async def test_a_failed_lookup_leaves_it_to_the_next_handler(
    stack: Stack, clock: ManualClock
) -> None:
    event = added(clock, "wmLOOKUPfail00001")

    async def unavailable() -> Any:
        raise WeComUnavailable("externalcontact/get", "timed out")

    with pytest.raises(WeComUnavailable):
        await shared_lookup(stack.deps, event, unavailable, 2.0)
    fetch = CountingFetch({"n": 3})
    assert await shared_lookup(stack.deps, event, fetch, 2.0) == (True, {"n": 3})
    assert fetch.calls == 1


async def test_a_waiter_gives_up_after_its_wait(stack: Stack, clock: ManualClock) -> None:
    event = added(clock, "wmLOOKUPslow00001")
    slow, release = await slow_lookup(stack, event, {"n": 4})
    waiter = CountingFetch({"n": 5})
    assert await shared_lookup(stack.deps, event, waiter, 0.2) == (False, None)
    assert waiter.calls == 0
    release.set()
    assert await slow == (True, {"n": 4})


async def test_welcomes_skip_the_lookup_while_lookups_are_slow(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> None:
    stack = await start_stack(
        aiohttp_client, clock, redis_url, redis, intake={"name_lookup_cooldown_seconds": 0.3}
    )
    await mark_lookups_slow(stack.deps)
    skipped = CountingFetch({"n": 6})
    first = added(clock, "wmLOOKUPcool00001")
    assert await shared_lookup(stack.deps, first, skipped, 2.0, unless_slow=True) == (False, None)
    assert skipped.calls == 0
    profile = CountingFetch({"n": 7})
    assert await shared_lookup(stack.deps, first, profile, 2.0) == (True, {"n": 7})
    assert profile.calls == 1, "the profile still looks up"

    async def cooldown_over() -> bool:  # a Redis TTL: real time, polled with a deadline
        return not await redis.exists(keys.contact_lookups_slow(stack.deps.corp_id))

    await eventually(cooldown_over, timeout=5)
    later = added(clock, "wmLOOKUPcool00002")
    assert await shared_lookup(stack.deps, later, skipped, 2.0, unless_slow=True) == (
        True,
        {"n": 6},
    )


async def test_a_welcome_that_waited_in_vain_marks_lookups_slow(
    stack: Stack, clock: ManualClock
) -> None:
    event = added(clock, "wmLOOKUPvain00001")
    slow, release = await slow_lookup(stack, event, {"n": 8})
    assert await shared_lookup(
        stack.deps, event, CountingFetch({"n": 9}), 0.2, unless_slow=True
    ) == (False, None)
    next_add = CountingFetch({"n": 10})
    assert await shared_lookup(
        stack.deps, added(clock, "wmLOOKUPvain00002"), next_add, 2.0, unless_slow=True
    ) == (False, None)
    assert next_add.calls == 0, "the next welcome skips the lookup"
    release.set()
    await slow
