"""LiveRules: a change another process stored is what every caller gets once a poll is due,
also the callers that arrive while this process is still compiling it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store.rules import RulesStore
from bot.store.rules_live import LiveRules, RuleSet
from config.settings import Settings


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


COMPILED: list[int] = []  # the versions compiled, in order


def slow_compile(doc: Any) -> str:
    time.sleep(0.2)  # a big word list: compiling takes a while (in a thread)
    COMPILED.append(doc["v"])
    return f"compiled v{doc['v']}"


def rule_set() -> RuleSet[str]:
    return RuleSet(
        name="demo",
        normalize=lambda doc: doc,
        compile=slow_compile,
        read=lambda _path: None,
        write=lambda _doc, _path: None,
        defaults=lambda: {"v": 1},
    )


async def test_callers_during_a_refresh_wait_for_the_new_version(
    redis: Redis, settings: Settings, clock: ManualClock
) -> None:
    store = RulesStore(redis, settings.wecom.corp_id, clock)
    ticks = Ticks()
    live = LiveRules(store, rule_set(), poll_seconds=0.5, monotonic=ticks)
    assert await live.start() == "compiled v1"

    _, version = await store.get("demo")
    await store.put("demo", {"v": 2}, version, "user:other-process")
    assert await live.current() == "compiled v1", "not due yet: the poll bounds the lag"
    ticks.now += 1.0  # a poll is due

    COMPILED.clear()
    seen = await asyncio.gather(*(live.current() for _ in range(10)))
    assert seen == ["compiled v2"] * 10
    assert COMPILED == [2], "compiled once for all of them"


async def test_callers_when_nothing_changed_do_not_wait_for_a_compile(
    redis: Redis, settings: Settings, clock: ManualClock
) -> None:
    store = RulesStore(redis, settings.wecom.corp_id, clock)
    ticks = Ticks()
    live = LiveRules(store, rule_set(), poll_seconds=0.5, monotonic=ticks)
    await live.start()
    COMPILED.clear()
    ticks.now += 1.0
    seen = await asyncio.gather(*(live.current() for _ in range(10)))
    assert seen == ["compiled v1"] * 10
    assert COMPILED == [], "a version check, no compile"
