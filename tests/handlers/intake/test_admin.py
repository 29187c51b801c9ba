"""/api/v1/intake and /api/v1/channels over HTTP, with the bearer token."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory

TOKEN = "intake-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})


async def call(
    stack: Stack,
    method: str,
    path: str,
    body: Any = None,
    expect: int = 200,
    version: str | None = None,
) -> Any:
    headers = {**AUTH, "If-Match": version} if version else AUTH
    answer = await stack.siyu.request(method, f"/api/v1/{path}", json=body, headers=headers)
    assert answer.status == expect, await answer.text()
    return await answer.json()


async def versioned(stack: Stack, path: str) -> tuple[Any, str]:
    """A document and its ETag."""
    answer = await stack.siyu.get(f"/api/v1/{path}", headers=AUTH)
    assert answer.status == 200, await answer.text()
    return await answer.json(), answer.headers["ETag"]


async def test_rules_are_read_validated_and_replaced(stack: Stack) -> None:
    rules, version = await versioned(stack, "intake/rules")
    assert "poster_a" in rules["channels"]

    rules["welcome"]["text"] = "欢迎{customer_name}！"
    put = await call(stack, "PUT", "intake/rules", rules, version=version)
    assert put["welcome"]["text"] == "欢迎{customer_name}！"

    rules["channels"]["poster_a"]["state"] = "x" * 31
    _, version = await versioned(stack, "intake/rules")
    refused = (await call(stack, "PUT", "intake/rules", rules, expect=422, version=version))[
        "error"
    ]
    assert refused["code"] == "invalid"
    fields = [detail["field"] for detail in refused["details"]]
    assert fields == ["body.channels.poster_a.state"]
    assert "errors.pydantic.dev" not in str(refused) and "x" * 31 not in str(refused)

    reset = await call(stack, "POST", "intake/rules/reset")
    assert reset["welcome"]["text"] != "欢迎{customer_name}！"


async def test_channels_codes_stats_and_customers(stack: Stack) -> None:
    assert all(c["code"] is None for c in await call(stack, "GET", "channels"))
    code = await call(stack, "POST", "channels/poster_a/code")
    assert code["config_id"].startswith("cw") and code["users"] == ["zhangwei"]
    await call(stack, "POST", "channels/nope/code", expect=404)

    await stack.scan(code["config_id"], "wmADMIN000001")
    await stack.drained()

    [today] = await call(stack, "GET", "channels/poster_a/stats?days=1")
    assert (today["adds"], today["net"], today["adds_by_staff"]) == (1, 1, {"zhangwei": 1})
    assert (await call(stack, "POST", "channels/rebalance"))["poster_a"]["users"] == ["zhangwei"]
    profile = await call(stack, "GET", "customers/wmADMIN000001")
    assert profile["relations"]["zhangwei"]["state"] == "ch_poster_a"
    assert profile["first_added_at"]
    await call(stack, "GET", "customers/wmNOBODY", expect=404)
    assert await call(stack, "POST", "customers/import", {"staff": ["lina"]}) == {"imported": 2}
    assert (await call(stack, "GET", "customers/wmDEMOsunjing0003"))["name"] == "孙静"


async def test_without_the_token_nothing_is_shown(stack: Stack) -> None:
    answer = await stack.siyu.get("/api/v1/intake/rules")
    assert answer.status == 401


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("channels/poster_a/stats?days=0", "query.days"),
        ("channels/poster_a/stats?days=401", "query.days"),
        ("channels/poster_a/stats?days=x", "query.days"),
    ],
)
async def test_bad_queries_are_422_in_the_error_shape(stack: Stack, path: str, field: str) -> None:
    refused = (await call(stack, "GET", path, expect=422))["error"]
    assert [detail["field"] for detail in refused["details"]] == [field]


async def test_a_rules_change_is_audited_with_the_sections_changed(stack: Stack) -> None:
    rules, version = await versioned(stack, "intake/rules")
    rules["welcome"]["text"] = "新的欢迎语"
    await call(stack, "PUT", "intake/rules", rules, version=version)
    items = (await call(stack, "GET", "audit"))["items"]
    [entry] = [item for item in items if item["actor"] != "siyu:defaults"]  # seeded at start
    assert entry["actor"] == "token", "who: the caller, once"
    assert entry["document"] == "rules/intake"
    [change] = entry["diff"]["changes"]
    assert change["path"] == "/welcome/text"
    assert change["new"] == "新的欢迎语"


async def test_two_operators_editing_the_same_rules_the_second_gets_412(stack: Stack) -> None:
    first, version = await versioned(stack, "intake/rules")
    second = dict(first)
    first["welcome"] = {**first["welcome"], "text": "甲的欢迎语"}
    second["welcome"] = {**second["welcome"], "text": "乙的欢迎语"}
    await call(stack, "PUT", "intake/rules", first, version=version)
    stale = await call(stack, "PUT", "intake/rules", second, expect=412, version=version)
    assert stale["error"]["code"] == "precondition_failed"
    assert "read it again" in stale["error"]["message"]
    now, _ = await versioned(stack, "intake/rules")
    assert now["welcome"]["text"] == "甲的欢迎语", "nothing overwritten silently"
    missing = await call(stack, "PUT", "intake/rules", first, expect=412)
    assert "If-Match" in missing["error"]["message"]


async def test_every_rule_set_is_a_versioned_document(stack: Stack) -> None:
    listed = {item["name"] for item in await call(stack, "GET", "rules")}
    assert {"intake", "keywords", "moderation", "reminders", "groups", "replies", "faq"} <= listed
    doc, version = await versioned(stack, "rules/replies")
    changed = await call(stack, "PUT", "rules/replies", doc["document"], version=version)
    assert changed["version"] == doc["version"] + 1
    await call(stack, "PUT", "rules/replies", doc["document"], expect=412, version=version)
    await call(
        stack,
        "PUT",
        "rules/replies",
        {"nonsense": 1},
        expect=422,
        version=f'"v{changed["version"]}"',
    )
    await call(stack, "GET", "rules/nosuch", expect=404)
