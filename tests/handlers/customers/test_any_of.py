"""The first page of an any-of search, merged from the tags' tops, equals what the union of
the tags gives: the same customers in the same order, and the same count."""

from __future__ import annotations

import random

import pytest
from redis.asyncio import Redis

from config.settings import Settings
from handlers.customers.any_of import first_page_merges
from handlers.customers.indexes import CustomerQuery
from handlers.customers.profiles import Customers

T0 = 1_767_225_600  # 2026-01-01
TAGS = ("vip", "new", "sale", "cold")


@pytest.fixture
async def customers(settings: Settings, redis: Redis) -> Customers:
    rng = random.Random(7)  # noqa: S311 - reproducible data, not a secret
    found = Customers(redis, settings.wecom.corp_id)
    for number in range(300):
        tags = [tag for tag in TAGS if rng.random() < 0.4]
        added = T0 + rng.randrange(0, 40) * 3600  # many share a first-add time: ties matter
        snapshot = {
            "external_contact": {"external_userid": f"wm{number:05d}", "name": f"客户{number}"},
            "follow_user": [
                {"userid": "lina", "createtime": added, "tags": [{"tag_id": t} for t in tags]}
            ],
        }
        await found.upsert(snapshot, T0)
    return found


@pytest.mark.parametrize("seed", range(12))
async def test_merged_first_pages_equal_the_unions(customers: Customers, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible queries, not a secret
    tags = tuple(rng.sample(TAGS, rng.choice((2, 3))))
    added_from = T0 + rng.randrange(0, 20) * 3600 if rng.random() < 0.5 else None
    added_until = T0 + rng.randrange(20, 41) * 3600 if rng.random() < 0.5 else None
    query = CustomerQuery(any_tags=tags, added_from=added_from, added_until=added_until)
    limit = rng.choice((1, 20, 75, 400))
    assert first_page_merges(0, limit, len(tags), narrowed_otherwise=False)

    merged_total, merged = await customers.index.search(query, 0, limit)
    union = await customers.index.page(query, 0, limit)  # stores the union (ZUNIONSTORE)
    assert merged == union
    assert merged_total == await customers.index.count(query)
    assert merged_total > 0


async def test_nothing_is_left_behind_and_later_pages_follow(
    customers: Customers, redis: Redis
) -> None:
    query = CustomerQuery(any_tags=("vip", "sale"))
    before = set(await redis.keys("*query*"))
    total, first = await customers.index.search(query, 0, 20)
    assert set(await redis.keys("*query*")) == before, "no union, no intersection kept"
    _, second = await customers.index.search(query, 20, 20)
    everyone = await customers.index.page(query, 0, 1000)
    assert first + second == everyone[:40] and len(everyone) == total


def test_only_plain_any_of_first_pages_merge() -> None:
    assert not first_page_merges(20, 20, 2, narrowed_otherwise=False), "a later page"
    assert not first_page_merges(0, 20, 1, narrowed_otherwise=False), "one tag: its own set"
    assert not first_page_merges(0, 20, 4, narrowed_otherwise=False), "many tags: the union"
    assert not first_page_merges(0, 20, 2, narrowed_otherwise=True), "narrowed: meet first"
    assert not first_page_merges(0, 5000, 2, narrowed_otherwise=False), "too deep"
