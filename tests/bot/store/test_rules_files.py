"""siyu rules export|import: files round-trip, and a bad file changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from redis.asyncio import Redis

from bot.cli.rules import export_rules, import_rules
from bot.clock import ManualClock
from bot.store.ledger import Ledger
from bot.store.rules import RulesStore
from config.settings import Settings
from handlers import build_components, rule_sets
from tests.conftest import make_settings

CONFIG = Path(__file__).resolve().parents[3] / "config"


async def seeded(settings: Settings, redis: Redis, clock: ManualClock) -> RulesStore:
    """A store seeded with the defaults, as a first start leaves it."""
    await build_components(
        settings, redis, clock, Ledger(redis, settings.wecom.corp_id), workers=False
    )
    return RulesStore(redis, settings.wecom.corp_id, clock)


async def test_export_then_import_into_an_empty_store_is_equal(
    settings: Settings, redis: Redis, clock: ManualClock, redis_url: str, tmp_path: Path
) -> None:
    source = await seeded(settings, redis, clock)
    sets = rule_sets(settings)
    status, _ = await export_rules(source, sets, tmp_path)
    assert status == 0
    assert (tmp_path / "nlp" / "sensitive" / "fraud.txt").is_file()
    assert json.loads((tmp_path / "faq.json").read_text("utf-8"))["answers"]

    other = RulesStore(redis, make_settings(redis_url).wecom.corp_id, clock)
    status, lines = await import_rules(other, sets, tmp_path)
    assert status == 0, lines
    for rule_set in sets:
        assert (await other.get(rule_set.name))[0] == (await source.get(rule_set.name))[0]
    assert len(await other.versions()) == len(sets)


async def test_the_shipped_config_directory_imports_as_is(
    settings: Settings, redis: Redis, clock: ManualClock
) -> None:
    store = RulesStore(redis, settings.wecom.corp_id, clock)
    status, lines = await import_rules(store, rule_sets(settings), CONFIG)
    assert status == 0, lines
    assert set(await store.versions()) == {s.name for s in rule_sets(settings)}


async def test_bad_files_are_named_and_nothing_is_imported(
    settings: Settings, redis: Redis, clock: ManualClock, tmp_path: Path
) -> None:
    store = await seeded(settings, redis, clock)
    sets = rule_sets(settings)
    await export_rules(store, sets, tmp_path)
    before = await store.versions()
    faq = json.loads((tmp_path / "faq.json").read_text("utf-8"))
    faq["answers"].append({"id": "new", "text": "新答案"})
    (tmp_path / "faq.json").write_text(json.dumps(faq), "utf-8")  # a good change...
    groups = json.loads((tmp_path / "groups.json").read_text("utf-8"))
    groups["sop"][0]["weekdays"] = [9]
    (tmp_path / "groups.json").write_text(json.dumps(groups), "utf-8")  # ...and two bad files
    (tmp_path / "nlp" / "sensitive" / "fraud.txt").write_text("刷单 heavy\n", "utf-8")

    status, lines = await import_rules(store, sets, tmp_path)

    assert status == 1
    assert len(lines) == 3
    assert "fraud.txt:1: 'heavy' is neither a weight nor a flag" in lines[0]
    assert "groups" in lines[1] and "weekdays are 1 (Monday) to 7 (Sunday)" in lines[1]
    assert lines[2] == "nothing was imported"
    assert await store.versions() == before
