"""The moderation rules: the shipped file, routing to reviewers, validation, reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store.rules import RulesStore
from bot.store.rules_live import LiveRules
from config.settings import Settings
from handlers.moderation.analyzer import moderation_rule_set
from handlers.moderation.rules import RulesError, load_rules_file


def test_the_shipped_rules_cover_the_default_taxonomy() -> None:
    rules = load_rules_file()
    assert set(rules.alerts.categories) == {"diversion", "abuse", "ad_law", "fraud"}
    assert set(rules.intents.actions) == {
        "price",
        "purchase",
        "appointment",
        "complaint",
        "human",
        "unsubscribe",
    }
    assert rules.intents.actions["price"].tag == "高意向"
    assert rules.intents.actions["unsubscribe"].do_not_disturb
    assert {n for n, a in rules.intents.actions.items() if a.escalate} == {"complaint", "human"}


@pytest.mark.parametrize(
    ("categories", "staff_side", "reviewers"),
    [
        (("diversion",), False, ("manager",)),
        (("ad_law",), False, ("manager",)),
        (("ad_law",), True, ("wangfang",)),
        (("ad_law", "abuse"), True, ("wangfang", "manager")),
        (("unheard_of",), True, ("manager",)),
    ],
)
def test_staff_side_ad_law_goes_to_compliance(
    categories: tuple[str, ...], staff_side: bool, reviewers: tuple[str, ...]
) -> None:
    assert load_rules_file().alerts.reviewers_of(categories, staff_side) == reviewers


@pytest.mark.parametrize(
    "bad",
    [
        '[intents.actions.price]\nprompt = "客户{name}在问价格"\n',  # unknown field
        '[intents.actions.price]\ntag = "' + "长" * 31 + '"\n',  # over 30 characters
        "[alerts]\nreviewers = [1]\n",
        "[alerts]\nexcerpt_context = -1\n",
        "[alerts]\nunknown = 1\n",
        "not toml = = 1",
    ],
)
def test_bad_rules_are_refused(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RulesError):
        load_rules_file(path)


async def test_a_changed_document_is_followed_and_a_bad_one_keeps_the_last_rules(
    redis: Redis, settings: Settings, clock: ManualClock
) -> None:
    store = RulesStore(redis, settings.wecom.corp_id, clock)
    live = LiveRules(store, moderation_rule_set(settings.moderation), poll_seconds=0)
    assert (await live.start()).alerts.reviewers == ("manager",)

    await live.replace({"alerts": {"reviewers": ["lina"]}}, live.version, "user:ann")
    assert (await live.current()).alerts.reviewers == ("lina",)

    await store.put("moderation", {"alerts": {"reviewers": 7}}, 2, "bypassed validation")
    assert (await live.current()).alerts.reviewers == ("lina",)
