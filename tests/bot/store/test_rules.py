"""The rules store: versions, stale writes refused, the audit entry with its diff."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store import keys
from bot.store.rules import RulesStore, StaleVersion, Write
from bot.store.rules_diff import json_diff
from config.settings import Settings


@pytest.fixture
def store(redis: Redis, settings: Settings, clock: ManualClock) -> RulesStore:
    return RulesStore(redis, settings.wecom.corp_id, clock)


async def test_a_document_starts_absent_and_each_write_bumps_its_version(
    store: RulesStore,
) -> None:
    assert await store.get("faq") == (None, 0)
    assert await store.put("faq", {"answers": []}, 0, "user:ann") == 1
    assert await store.put("faq", {"answers": ["a"]}, 1, "user:bob") == 2
    assert await store.get("faq") == ({"answers": ["a"]}, 2)
    assert await store.versions() == {"faq": 2}


async def test_a_write_based_on_an_old_version_is_refused(store: RulesStore) -> None:
    await store.put("faq", {"n": 1}, 0, "user:ann")
    await store.put("faq", {"n": 2}, 1, "user:bob")

    with pytest.raises(StaleVersion, match="version 2 is current") as raised:
        await store.put("faq", {"n": 3}, 1, "user:ann")
    assert (raised.value.expected, raised.value.actual) == (1, 2)
    assert await store.get("faq") == ({"n": 2}, 2)


async def test_a_second_creation_is_refused(store: RulesStore) -> None:
    await store.put("faq", {"n": 1}, 0, "user:ann")
    with pytest.raises(StaleVersion):
        await store.put("faq", {"n": 1}, 0, "user:bob")


async def test_every_change_is_audited_with_who_when_and_the_diff(
    store: RulesStore, clock: ManualClock
) -> None:
    await store.put("keywords", {"words": ["加微信"], "min": 1}, 0, "user:ann")
    await store.put("keywords", {"words": ["加微信", "vx"], "min": 2}, 1, "key:k1")

    newest, first = await store.audit()
    assert newest == {
        "at": clock.now().isoformat(),
        "actor": "key:k1",
        "action": "rules.put",
        "document": "rules/keywords",
        "diff": {
            "from_version": 1,
            "to_version": 2,
            "changes": [
                {"path": "/min", "old": 1, "new": 2},
                {"path": "/words", "added": ["vx"], "removed": []},
            ],
        },
    }
    assert first["diff"]["changes"] == [
        {"path": "/", "old": None, "new": {"words": ["加微信"], "min": 1}}
    ]


async def test_a_stale_write_leaves_no_audit_entry(store: RulesStore) -> None:
    await store.put("faq", {"n": 1}, 0, "user:ann")
    with pytest.raises(StaleVersion):
        await store.put("faq", {"n": 2}, 0, "user:bob")
    assert len(await store.audit()) == 1


async def test_put_many_writes_all_or_nothing(store: RulesStore) -> None:
    await store.put("b", {"n": 1}, 0, "user:ann")

    with pytest.raises(StaleVersion, match="'b'"):
        await store.put_many({"a": Write({"n": 1}, 0), "b": Write({"n": 2}, 0)}, "cli")
    assert await store.get("a") == (None, 0)

    await store.put_many({"a": Write({"n": 1}, 0), "b": Write({"n": 2}, 1)}, "cli")
    assert await store.versions() == {"a": 1, "b": 2}


async def test_each_change_is_announced_on_the_change_stream(
    store: RulesStore, redis: Redis, settings: Settings
) -> None:
    await store.put("faq", {"n": 1}, 0, "user:ann")
    entries = await redis.xrange(keys.rules_changes(settings.wecom.corp_id))
    assert [fields for _, fields in entries or []] == [{"name": "faq", "version": "1"}]


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ({"a": 1}, {"a": 1}, []),
        (
            {"a": {"b": 1}},
            {"a": {"b": 2, "c": 3}},
            [{"path": "/a/b", "old": 1, "new": 2}, {"path": "/a/c", "new": 3}],
        ),
        ({"a/b": 1}, {}, [{"path": "/a~1b", "old": 1}]),
        ({"t": "x\ny\n"}, {"t": "x\nz\n"}, [{"path": "/t", "added": ["z"], "removed": ["y"]}]),
        ({"l": [1, 2]}, {"l": [2]}, [{"path": "/l", "old": [1, 2], "new": [2]}]),
    ],
)
def test_the_diff(old: object, new: object, changes: list[dict[str, object]]) -> None:
    assert json_diff(old, new) == changes
