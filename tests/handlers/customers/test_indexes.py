"""Customer indexes on a real Redis: kept in step with profiles, searched without SCAN."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from config.settings import Settings
from handlers.customers.indexes import CustomerIndex, CustomerQuery, reindex_all
from handlers.customers.profiles import Customers
from handlers.tasks.model import CustomerFilter
from handlers.tasks.sources import from_index, from_store

DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01


def snapshot(ext: str, name: str, *relations: tuple[str, int, tuple[str, ...], str]) -> Any:
    return {
        "external_contact": {"external_userid": ext, "name": name},
        "follow_user": [
            {
                "userid": userid,
                "createtime": at,
                "tags": [{"tag_id": t} for t in tags],
                "state": state,
            }
            for userid, at, tags, state in relations
        ],
    }


@pytest.fixture
async def customers(settings: Settings, redis: Redis) -> Customers:
    found = Customers(redis, settings.wecom.corp_id)
    await found.upsert(snapshot("wmA", "张伟", ("lina", T0, ("vip", "new"), "poster")), T0)
    await found.upsert(
        snapshot(
            "wmB",
            "张敏",
            ("lina", T0 + DAY, ("new",), "expo"),
            ("wang", T0 + 2 * DAY, ("vip",), ""),
        ),
        T0,
    )
    await found.upsert(snapshot("wmC", "李娜", ("wang", T0 + 3 * DAY, (), "poster")), T0)
    return found


async def ids(customers: Customers, **criteria: Any) -> list[str]:
    query = CustomerQuery(**criteria)
    return await customers.index.page(query, 0, 100)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({}, ["wmC", "wmB", "wmA"]),  # newest first-added first
        ({"all_tags": ("vip", "new")}, ["wmB", "wmA"]),  # on any of the live relations
        ({"any_tags": ("vip",)}, ["wmB", "wmA"]),
        ({"no_tags": ("new",)}, ["wmC"]),
        ({"staff": ("wang",)}, ["wmC", "wmB"]),
        ({"channels": ("poster",)}, ["wmC", "wmA"]),
        ({"name_prefix": "张"}, ["wmB", "wmA"]),
        ({"name_prefix": "张敏"}, ["wmB"]),
        ({"added_from": T0 + DAY}, ["wmC", "wmB"]),
        ({"added_until": T0 + DAY}, ["wmA"]),
        ({"any_tags": ("vip",), "staff": ("lina",), "no_tags": ("nosuch",)}, ["wmB", "wmA"]),
        ({"any_tags": ("nosuch",)}, []),
    ],
)
async def test_search_criteria(
    customers: Customers, criteria: dict[str, Any], expected: list[str]
) -> None:
    assert await ids(customers, **criteria) == expected
    assert await customers.index.count(CustomerQuery(**criteria)) == len(expected)


async def test_a_changed_or_ended_relation_leaves_the_indexes(customers: Customers) -> None:
    await customers.upsert(snapshot("wmA", "张伟新", ("lina", T0, ("new",), "poster")), T0)
    assert await ids(customers, any_tags=("vip",)) == ["wmB"], "the vip tag was removed"
    assert await ids(customers, name_prefix="张伟") == ["wmA"]
    assert await ids(customers, name_prefix="张伟新") == ["wmA"], "renamed, old name gone"
    await customers.mark_deleted("wmB", "wang", "customer", T0 + 9 * DAY)
    assert await ids(customers, staff=("wang",)) == ["wmC"]
    assert await ids(customers, any_tags=("vip",)) == [], "wmB's vip was on wang's relation"


async def test_activity(customers: Customers, redis: Redis) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        customers.count_message(pipe, "wmC", "in", T0 + 30 * DAY)
        customers.count_message(pipe, "wmA", "in", T0 + 10 * DAY)
        customers.count_message(pipe, "wmA", "out", T0 + 5 * DAY)  # older: kept the latest
        await pipe.execute()
    assert await ids(customers, active_since=T0 + 8 * DAY) == ["wmC", "wmA"]
    assert await ids(customers, active_since=T0 + 20 * DAY) == ["wmC"]


async def test_pages_follow_one_another(customers: Customers) -> None:
    query = CustomerQuery(any_tags=("vip", "new"), channels=("poster", "expo"))
    first = await customers.index.page(query, 0, 1)
    second = await customers.index.page(query, 1, 1)
    assert first + second == ["wmB", "wmA"]
    assert await customers.index.page(query, 2, 1) == []


async def _scans(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return int(stats.get("cmdstat_scan", {}).get("calls", 0))


async def test_task_targeting_reads_the_indexes_not_the_keyspace(
    customers: Customers, settings: Settings, redis: Redis
) -> None:
    corp = settings.wecom.corp_id
    rule = CustomerFilter(any_tags=("vip",))
    before = await _scans(redis)
    found = await from_index(redis, corp, rule)
    assert await _scans(redis) == before, "no SCAN"
    assert sorted(c.external_userid for c in found) == ["wmA", "wmB"]
    everyone = {c.external_userid: c for c in await from_store(redis, corp)}
    for candidate in found:
        assert candidate == everyone[candidate.external_userid], "the same candidate either way"


async def test_customers_stored_before_the_indexes_are_indexed_by_reindex(
    customers: Customers, settings: Settings, redis: Redis
) -> None:
    corp = settings.wecom.corp_id
    index = CustomerIndex(redis, corp)
    await redis.delete(*[key async for key in redis.scan_iter(match=f"siyu:{{{corp}}}:cx:*")])
    await redis.hdel(f"siyu:{{{corp}}}:customer:wmA", "indexed")
    await redis.hdel(f"siyu:{{{corp}}}:customer:wmB", "indexed")
    await redis.hdel(f"siyu:{{{corp}}}:customer:wmC", "indexed")
    assert await index.count(CustomerQuery(any_tags=("vip",))) == 0
    assert await reindex_all(redis, corp) == 3
    assert await index.page(CustomerQuery(any_tags=("vip",)), 0, 10) == ["wmB", "wmA"]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"any_tags": ("vip", "new")}, ["wmB", "wmA"]),  # a union of several tags alone
        ({"any_tags": ("vip", "new"), "staff": ("wang",)}, ["wmB"]),  # narrowed first
        ({"any_tags": ("vip", "new"), "name_prefix": "张伟"}, ["wmA"]),
        ({"any_tags": ("new",), "name_prefix": "张"}, ["wmB", "wmA"]),
        ({"staff": ("lina", "wang"), "no_tags": ("vip", "new")}, ["wmC"]),
        ({"name_prefix": "李"}, ["wmC"]),
    ],
)
async def test_combined_criteria(
    customers: Customers, criteria: dict[str, Any], expected: list[str]
) -> None:
    assert await ids(customers, **criteria) == expected
