"""/api/v1/stats/daily through the sandbox: adds, deletions and net per channel and staff,
welcomes by outcome, each counted once however often WeCom delivers the event."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.clock import ManualClock
from bot.daily import DayCounts
from bot.events import ExternalContactAdded, parse_event
from bot.store import keys
from bot.store.connection import connect
from bot.store.embedded import EmbeddedRedis
from handlers.intake import day_counts
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory
from tests.support.wecom import contact_added, eventually

TOKEN = "stats-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})


async def daily(stack: Stack, query: str = "", expect: int = 200) -> Any:
    answer = await stack.siyu.get(f"/api/v1/stats/daily{query}", headers=AUTH)
    assert answer.status == expect, await answer.text()
    return await answer.json()


async def today(stack: Stack) -> dict[str, Any]:
    day: dict[str, Any] = (await daily(stack))["days"][-1]
    return day


async def test_adds_deletions_and_welcomes_per_channel_and_staff(stack: Stack) -> None:
    created = await stack.siyu.post("/api/v1/channels/poster_a/code", headers=AUTH)
    assert created.status == 200, await created.text()
    config_id = (await created.json())["config_id"]
    await stack.scan(config_id, "wmSTATS000001")
    await stack.scan(config_id, "wmSTATS000002")
    await stack.sandbox.control("POST", "customers/wmSTATS000003/add", {"staff": "lina"})
    await stack.drained()
    await stack.sandbox.control("POST", "customers/wmSTATS000001/delete", {"staff": "zhangwei"})
    await stack.drained()

    async def counted() -> bool:  # the welcomes' counts reach Redis within a flush
        return bool((await today(stack))["welcomes"].get("sent", 0) == 3)

    await eventually(counted, timeout=5)
    day = await today(stack)
    assert day["adds"] == {
        "total": 3,
        "by_channel": {"poster_a": 2},
        "by_staff": {"zhangwei": 2, "lina": 1},
    }
    assert day["deletions"] == {
        "total": 1,
        "by_channel": {"poster_a": 1},
        "by_staff": {"zhangwei": 1},
        "initiated_by": {"customer": 1},
    }
    assert day["net"] == {
        "total": 2,
        "by_channel": {"poster_a": 1},
        "by_staff": {"lina": 1, "zhangwei": 1},
    }
    local = stack.deps.clock.now().astimezone(ZoneInfo(stack.settings.timezone))
    assert day["day"] == local.date().isoformat()


async def test_an_add_wecom_sends_three_times_and_a_worker_runs_twice_counts_once(
    stack: Stack,
) -> None:
    await stack.sandbox.control(
        "POST", "customers/wmSTATS000009/add", {"staff": "zhangwei", "duplicates": 3}
    )
    await stack.drained()
    again = parse_event(contact_added(stack.settings, "wmSTATS000010"))
    assert isinstance(again, ExternalContactAdded)
    await day_counts.count_add(again, stack.deps)
    await day_counts.count_add(again, stack.deps)  # a redelivery after a crash before the ack
    adds = (await today(stack))["adds"]
    assert adds["total"] == 2 and adds["by_staff"] == {"zhangwei": 1, "staff01": 1}


async def test_the_range_is_validated_in_the_one_error_shape(stack: Stack) -> None:
    refused = (await daily(stack, "?from=2026-12-06&to=2026-12-01", expect=422))["error"]
    assert refused["code"] == "invalid" and "before" in refused["message"]
    too_long = (await daily(stack, "?from=2026-01-01&to=2026-12-01", expect=422))["error"]
    assert "92" in too_long["message"]
    assert (await daily(stack, "?from=yesterday", expect=422))["error"]["details"][0][
        "field"
    ] == "query.from"
    unauthenticated = await stack.siyu.get("/api/v1/stats/daily")
    assert unauthenticated.status == 401


async def test_a_range_lists_every_day_oldest_first(stack: Stack) -> None:
    stats = await daily(stack, "?from=2026-11-29&to=2026-12-02")
    assert [day["day"] for day in stats["days"]] == [
        "2026-11-29",
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
    ]
    assert stats["from"] == "2026-11-29" and stats["to"] == "2026-12-02"
    assert all(day["adds"]["total"] == 0 and day["welcomes"] == {} for day in stats["days"])
    default = await daily(stack)
    assert len(default["days"]) == 30


async def test_counts_kept_while_redis_is_away_are_added_when_it_is_back(
    tmp_path: Path, clock: ManualClock
) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always")
    client = connect(server.start(), 0.5)
    try:
        counts = DayCounts(client, "wwSTATS", clock, SHANGHAI)
        counts.add("hits", "contact_diversion")
        server.kill()
        counts.add("hits", "contact_diversion", 2)
        with pytest.raises((RedisError, OSError)):
            await counts.flush()
        assert counts.buffered == 1, "kept, not dropped"

        server.start()
        counts.add("hits", "contact_diversion")
        await counts.flush()
        assert counts.buffered == 0
        day = clock.now().astimezone(SHANGHAI).strftime("%Y%m%d")
        stored = await client.hgetall(keys.daily_counts("wwSTATS", day))
        assert stored == {"hits|contact_diversion": "4"}
        assert await client.ttl(keys.daily_counts("wwSTATS", day)) > 0
    finally:
        await client.aclose()
        server.stop()
