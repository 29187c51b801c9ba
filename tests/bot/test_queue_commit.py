"""Group commit: callbacks that arrive together share one Lua call, each queued once."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.lanes import EXPRESS
from bot.queue import EventQueue
from bot.queue_commit import GroupCommit
from bot.store import keys
from bot.store.connection import connect
from config.settings import Settings


async def _script_calls(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return sum(
        int(stats.get(name, {}).get("calls", 0)) for name in ("cmdstat_evalsha", "cmdstat_eval")
    )


async def test_concurrent_callbacks_share_calls_and_each_is_queued_once(
    settings: Settings, redis: Redis
) -> None:
    queue = EventQueue(redis, settings.wecom.corp_id)
    await queue.ensure_group()
    before = await _script_calls(redis)
    dedup = [f"k{n % 150}" for n in range(300)]  # every key twice: WeCom's retries
    ids = await asyncio.gather(
        *(queue.enqueue("default", "text", key, f"<xml>{key}</xml>") for key in dedup)
    )
    calls = await _script_calls(redis) - before
    queued = [entry_id for entry_id in ids if entry_id]
    assert len(queued) == 150, "each dedup key queued once, even twice in one batch"
    assert len(set(queued)) == 150
    assert await redis.xlen(keys.events(settings.wecom.corp_id)) >= 150
    assert calls < 30, f"{calls} calls for 300 callbacks: they were not grouped"
    again = await queue.enqueue("default", "text", "k0", "<xml/>")
    assert again is None, "a later duplicate is still refused"


async def test_one_callback_alone_is_one_call(settings: Settings, redis: Redis) -> None:
    queue = EventQueue(redis, settings.wecom.corp_id)
    before = await _script_calls(redis)
    assert await queue.enqueue("default", "text", "alone", "<xml/>")
    assert await _script_calls(redis) - before == 1


async def test_a_failed_call_fails_every_callback_of_its_batch(settings: Settings) -> None:
    unreachable = connect("redis://127.0.0.1:1/0", 0.5)  # nothing listens on port 1
    queue = EventQueue(unreachable, settings.wecom.corp_id)
    try:
        results = await asyncio.gather(
            *(queue.enqueue("default", "text", f"x{n}", "<xml/>") for n in range(20)),
            return_exceptions=True,
        )
    finally:
        await unreachable.aclose()
    assert all(isinstance(r, (RedisConnectionError, OSError)) for r in results), results


@pytest.mark.parametrize("express", [True, False])
async def test_the_express_copy_goes_with_its_batch(
    settings: Settings, redis: Redis, express: bool
) -> None:
    queue = EventQueue(redis, settings.wecom.corp_id)
    await queue.ensure_group()
    main, fast = keys.events(settings.wecom.corp_id), keys.events(settings.wecom.corp_id, EXPRESS)
    main_before, express_before = await redis.xlen(main), await redis.xlen(fast)
    await asyncio.gather(
        *(
            queue.enqueue("default", "add", f"e{express}{n}", "<xml/>", express=express)
            for n in range(10)
        )
    )
    assert await redis.xlen(main) - main_before == 10
    assert await redis.xlen(fast) - express_before == (10 if express else 0)


async def _never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A Redis that accepts connections and never says anything (paused, partitioned)."""
    await reader.read()  # until the client hangs up
    writer.close()


async def test_an_enqueue_abandoned_at_its_deadline_logs_no_unretrieved_exception(
    tmp_path: Path,
) -> None:
    """The gateway spools a callback whose enqueue outlives its deadline; when the Lua call
    then fails, nobody is left to hear it: asyncio logged "Future exception was never
    retrieved" with a traceback per spooled callback (found by siyu chaos)."""
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    server = await asyncio.start_unix_server(_never_answer, path=str(tmp_path / "redis.sock"))
    redis = Redis.from_url(f"unix://{tmp_path / 'redis.sock'}", socket_timeout=0.2)
    try:
        commit = GroupCommit(redis, "main", "express", 60)
        event = ("default", "text", "dedup-1", "<xml/>", 0, "", "")
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):  # the gateway's deadline: it spools instead
                await commit.enqueue("dedup-1", event)
        deadline = loop.time() + 1.0  # the call itself times out after 0.2 s
        while loop.time() < deadline:
            gc.collect()
            await asyncio.sleep(0.05)
    finally:
        loop.set_exception_handler(previous)
        await redis.aclose()
        server.close()
        await server.wait_closed()
    assert [context.get("message") for context in reported] == []
