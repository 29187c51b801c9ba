"""The express lane goes first: main-lane events wait for a lull, but not for ever."""

from __future__ import annotations

import asyncio

from bot.priority import LanePriority


async def test_main_lane_events_start_when_the_express_lane_is_idle() -> None:
    priority = LanePriority(max_wait_seconds=5.0)
    order: list[str] = []
    release = asyncio.Event()

    async def welcome() -> None:
        with priority.express():
            await release.wait()
            order.append("welcome done")

    async def main_event() -> None:
        await priority.main_turn()
        order.append("main started")

    express = asyncio.create_task(welcome())
    await asyncio.sleep(0)
    main = asyncio.create_task(main_event())
    for _ in range(20):  # the loop's turns, not time: whatever could run has run
        await asyncio.sleep(0)
    assert order == [], "the main-lane event waits while a welcome is in flight"
    assert not main.done()
    release.set()
    await asyncio.gather(express, main)
    assert order == ["welcome done", "main started"]


async def test_main_lane_events_do_not_starve() -> None:
    priority = LanePriority(max_wait_seconds=0.05)
    with priority.express():
        started = asyncio.get_running_loop().time()
        await priority.main_turn()
        waited = asyncio.get_running_loop().time() - started
    assert 0.04 <= waited < 1.0, "waited its bounded turn, then went ahead"


async def test_nothing_waits_when_no_express_event_is_in_flight() -> None:
    priority = LanePriority(max_wait_seconds=5.0)
    with priority.express():
        pass
    await asyncio.wait_for(priority.main_turn(), timeout=0.5)
    disabled = LanePriority(max_wait_seconds=0)
    with disabled.express():
        await asyncio.wait_for(disabled.main_turn(), timeout=0.5)
