"""End to end: profiles follow contact events, first-added time sticks, channel tags are
marked (created on first use), and the tag catalogue follows change_external_tag."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from handlers.customers.profiles import Customers
from handlers.customers.tags import TagCatalogue
from tests.handlers.intake.stack import Stack, rules_with, start_stack
from tests.support.stack import ClientFactory

POSTER_CODE = "cwDEMOposter"


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis)


def customers(stack: Stack) -> Customers:
    return Customers(stack.redis, stack.settings.wecom.corp_id)


async def test_profile_first_added_time_and_channel_tag(stack: Stack, clock: ManualClock) -> None:
    first_add = int(clock.now().timestamp())
    scanned = await stack.scan(POSTER_CODE, "wmPROFILE00001")
    await stack.drained()

    profile = await customers(stack).get("wmPROFILE00001")
    assert profile is not None
    assert profile.name == scanned["customer"]["name"]
    assert profile.number("first_added_at") == first_add
    relation = profile.relations["zhangwei"]
    assert (relation.state, relation.createtime) == ("ch_poster_a", first_add)
    assert relation.deleted_at is None
    [marked] = await stack.calls("externalcontact/mark_tag")
    assert marked["body"]["add_tag"] == ["etDEMOposter"]  # 渠道/海报 exists in the demo corp
    assert await stack.calls("externalcontact/add_corp_tag") == []

    clock.advance(timedelta(hours=3))
    await stack.sandbox.control(
        "POST", "customers/wmPROFILE00001/add", {"staff": "lina", "state": "ch_friend"}
    )
    await stack.drained()

    again = await customers(stack).get("wmPROFILE00001")
    assert again is not None
    assert again.number("first_added_at") == first_add, "a second add is not a new customer"
    assert again.relations["lina"].state == "ch_friend"
    assert again.relations["lina"].createtime == first_add + 3 * 3600
    assert "etDEMOposter" in again.relations["zhangwei"].tag_ids


async def test_deleting_and_re_adding_keeps_the_first_added_time(
    stack: Stack, clock: ManualClock
) -> None:
    first_add = int(clock.now().timestamp())
    await stack.scan(POSTER_CODE, "wmPROFILE00002")
    await stack.drained()
    clock.advance(timedelta(days=2))
    await stack.sandbox.control("POST", "customers/wmPROFILE00002/delete", {"staff": "zhangwei"})
    await stack.drained()

    relation = await customers(stack).relation("wmPROFILE00002", "zhangwei")
    assert relation is not None
    assert (relation.deleted_by, relation.deleted_at) == ("customer", first_add + 2 * 86400)

    clock.advance(timedelta(days=1))
    await stack.scan(POSTER_CODE, "wmPROFILE00002")
    await stack.drained()
    profile = await customers(stack).get("wmPROFILE00002")
    assert profile is not None
    assert profile.number("first_added_at") == first_add
    assert profile.relations["zhangwei"].deleted_at is None


async def test_a_missing_channel_tag_is_created_once_then_reused(stack: Stack) -> None:
    rules = rules_with(
        channels={
            "poster_a": {
                "name": "海报A",
                "state": "ch_poster_a",
                "staff": [{"userid": "zhangwei"}],
                "tags": [
                    {"group": "渠道", "name": "海报2026"},
                    {"group": "活动", "name": "双十一"},
                ],
            }
        }
    )
    await stack.set_rules(rules)

    await stack.scan(POSTER_CODE, "wmPROFILE00003")
    await stack.scan(POSTER_CODE, "wmPROFILE00004")
    await stack.drained()

    created = await stack.calls("externalcontact/add_corp_tag")
    assert sorted(c["body"]["group_name"] for c in created) == ["活动", "渠道"]
    catalogue = TagCatalogue(stack.redis, stack.settings.wecom.corp_id)
    ids = [await catalogue.find("渠道", "海报2026"), await catalogue.find("活动", "双十一")]
    assert all(ids)
    marks = await stack.calls("externalcontact/mark_tag")
    assert [sorted(m["body"]["add_tag"]) for m in marks] == [sorted(ids)] * 2  # type: ignore[type-var]


async def emit_tag_event(stack: Stack, change: str, tag_id: str, tag_type: str = "tag") -> None:
    fields: dict[str, Any] = {
        "FromUserName": "sys",
        "MsgType": "event",
        "Event": "change_external_tag",
        "ChangeType": change,
        "Id": tag_id,
        "TagType": tag_type,
    }
    await stack.sandbox.control("POST", "emit", {"events": [fields]})
    await stack.drained()


async def test_the_tag_catalogue_follows_change_external_tag(stack: Stack) -> None:
    answer = await stack.sandbox.post(
        "externalcontact/add_corp_tag", {"group_name": "意向", "tag": [{"name": "复购"}]}
    )
    tag_id = answer["tag_group"]["tag"][0]["id"]
    catalogue = TagCatalogue(stack.redis, stack.settings.wecom.corp_id)

    await emit_tag_event(stack, "create", tag_id)
    assert await catalogue.find("意向", "复购") == tag_id

    await stack.sandbox.post("externalcontact/edit_corp_tag", {"id": tag_id, "name": "老客复购"})
    await emit_tag_event(stack, "update", tag_id)
    assert await catalogue.find("意向", "复购") is None
    assert await catalogue.find("意向", "老客复购") == tag_id

    await stack.sandbox.post("externalcontact/del_corp_tag", {"tag_id": [tag_id]})
    await emit_tag_event(stack, "delete", tag_id)
    assert await catalogue.get(tag_id) is None
    assert await catalogue.find("意向", "老客复购") is None


async def test_customer_messages_count_as_activity(stack: Stack, clock: ManualClock) -> None:
    await stack.scan(POSTER_CODE, "wmPROFILE00005")
    await stack.drained()
    clock.advance(timedelta(hours=2))

    await stack.sandbox.control(
        "POST", "kf/wkDEMOkf0001/customers/wmPROFILE00005/message", {"text": "还有货吗"}
    )
    await stack.drained()
    await stack.drained()  # the pulled message is queued as an event of its own

    profile = await customers(stack).get("wmPROFILE00005")
    assert profile is not None
    assert profile.number("messages_in") == 1
    assert profile.number("messages_out") == 1  # the welcome
    assert profile.number("last_customer_message_at") == int(clock.now().timestamp())
