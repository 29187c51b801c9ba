"""Importing the corp's existing customers, and what it gives the churn prompt."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.store import keys
from handlers.customers.profiles import Customers
from handlers.intake.backfill import import_customers
from tests.handlers.intake.stack import Stack

LIUYANG = "wmDEMOliuyang0001"  # the demo corp: 刘洋, zhangwei's customer via ch_poster_a


async def test_existing_customers_are_imported_with_their_first_added_time(
    stack: Stack, clock: ManualClock
) -> None:
    customers = Customers(stack.redis, stack.settings.wecom.corp_id)

    assert await import_customers(stack.deps) == 5
    assert await import_customers(stack.deps) == 5  # again: the same, nothing moves

    profile = await customers.get(LIUYANG)
    assert profile is not None and profile.name == "刘洋"
    five_days_ago = int((clock.now() - timedelta(days=5)).timestamp())
    assert profile.number("first_added_at") == five_days_ago
    relation = profile.relations["zhangwei"]
    assert (relation.state, relation.createtime) == ("ch_poster_a", five_days_ago)
    assert set(relation.tag_ids) == {"etDEMOposter", "etDEMOhigh"}


async def test_an_import_only_moves_the_first_added_time_earlier(stack: Stack) -> None:
    customers = Customers(stack.redis, stack.settings.wecom.corp_id)
    key = keys.customer(stack.settings.wecom.corp_id, LIUYANG)
    await stack.redis.hset(key, "first_added_at", "1")
    await import_customers(stack.deps, ["zhangwei"])
    profile = await customers.get(LIUYANG)
    assert profile is not None and profile.number("first_added_at") == 1


async def test_an_imported_customer_who_leaves_gets_a_full_churn_card(stack: Stack) -> None:
    await import_customers(stack.deps)

    await stack.sandbox.control("POST", f"customers/{LIUYANG}/delete", {"staff": "zhangwei"})
    await stack.drained()

    [card] = [
        c["body"]["template_card"]
        for c in await stack.calls("message/send")
        if c["body"]["msgtype"] == "template_card"
    ]
    rows = {row["keyname"]: row["value"] for row in card["horizontal_content_list"]}
    assert card["main_title"]["title"] == "客户「刘洋」删除了你"
    assert rows["来源渠道"] == "海报A"
    assert rows["客户时长"].startswith("5 天")
