"""/api/v1/groups/sop through the running app: list (pages), get, create and update with the
version they read (412 when stale), validation in the one error shape, audit with the diff,
and roles."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.admin.apikeys import ApiKeys
from bot.admin.audit import Audit
from bot.admin.roles import Role
from bot.clock import ManualClock
from handlers.groups.context import Groups
from tests.support.stack import ClientFactory, Stack, start_stack


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(Stack, aiohttp_client, clock, redis_url, redis)


async def key(stack: Stack, role: Role) -> dict[str, str]:
    _, made = await ApiKeys(stack.redis, stack.settings.wecom.corp_id).create(
        role, "test", stack.clock.now()
    )
    return {"Authorization": f"Bearer {made}"}


def sop(name: str = "monday_tips", **changes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "title": "周一干货",
        "text": "在群里分享本周干货",
        "content": "本周干货来啦～",
        "weekdays": [1],
        "at": "09:30:00",
        "groups": {"all": True},
        **changes,
    }


async def test_create_list_get_and_update_an_sop_rule(stack: Stack) -> None:
    operator = await key(stack, Role.OPERATOR)
    listed = await stack.siyu.get("/api/v1/groups/sop?limit=1", headers=operator)
    first = await listed.json()
    assert [s["name"] for s in first["items"]] == ["vip_weekly"]  # config/groups.toml
    assert first["next_cursor"] == 1 and listed.headers["ETag"] == f'"v{first["version"]}"'
    second = await (
        await stack.siyu.get("/api/v1/groups/sop?limit=1&cursor=1", headers=operator)
    ).json()
    assert [s["name"] for s in second["items"]] == ["trial_feedback"]
    assert second["next_cursor"] is None

    made = await stack.siyu.post(
        "/api/v1/groups/sop", json=sop(), headers={**operator, "If-Match": listed.headers["ETag"]}
    )
    assert made.status == 201, await made.text()
    created = await made.json()
    assert created["version"] == first["version"] + 1
    shown = await stack.siyu.get("/api/v1/groups/sop/monday_tips", headers=operator)
    assert (await shown.json())["text"] == "在群里分享本周干货"
    changed = await stack.siyu.put(
        "/api/v1/groups/sop/monday_tips",
        json=sop(at="20:00:00", weekdays=[1, 3]),
        headers={**operator, "If-Match": shown.headers["ETag"]},
    )
    assert changed.status == 200, await changed.text()
    rules = Groups.of(stack.deps).rules
    assert [(s.name, s.at.hour, s.weekdays) for s in rules.sop][-1] == ("monday_tips", 20, [1, 3])

    entries = await Audit(stack.redis, stack.settings.wecom.corp_id).page(5)
    [(_, latest), *_] = entries
    assert latest.document == "rules/groups" and latest.actor.startswith("key:")
    assert "20:00:00" in str(latest.diff) and "09:30:00" in str(latest.diff)


async def test_a_stale_version_is_412_and_changes_nothing(stack: Stack) -> None:
    operator = await key(stack, Role.OPERATOR)
    read = await stack.siyu.get("/api/v1/groups/sop/vip_weekly", headers=operator)
    etag = read.headers["ETag"]
    body = {**(await read.json()), "text": "A 的修改"}
    first = await stack.siyu.put(
        "/api/v1/groups/sop/vip_weekly", json=body, headers={**operator, "If-Match": etag}
    )
    assert first.status == 200
    stale = await stack.siyu.put(
        "/api/v1/groups/sop/vip_weekly",
        json={**body, "text": "B 的修改"},
        headers={**operator, "If-Match": etag},
    )
    assert stale.status == 412
    assert (await stale.json())["error"]["code"] == "precondition_failed"
    missing = await stack.siyu.post("/api/v1/groups/sop", json=sop(), headers=operator)
    assert missing.status == 412
    now = await (await stack.siyu.get("/api/v1/groups/sop/vip_weekly", headers=operator)).json()
    assert now["text"] == "A 的修改"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": [8]}, "body.weekdays"),
        ({"weekdays": []}, "body.weekdays"),
        ({"at": "25:00"}, "body.at"),
        ({"text": ""}, "body.text"),
        ({"groups": {"everyone": True}}, "body.groups.everyone"),
    ],
)
async def test_invalid_rules_are_422_next_to_the_field(
    stack: Stack, changes: dict[str, Any], field: str
) -> None:
    operator = await key(stack, Role.OPERATOR)
    etag = (await stack.siyu.get("/api/v1/groups/sop", headers=operator)).headers["ETag"]
    answer = await stack.siyu.post(
        "/api/v1/groups/sop", json=sop(**changes), headers={**operator, "If-Match": etag}
    )
    assert answer.status == 422
    error = (await answer.json())["error"]
    assert error["code"] == "invalid" and field in [d["field"] for d in error["details"]]


async def test_duplicates_unknown_rules_and_roles(stack: Stack) -> None:
    operator = await key(stack, Role.OPERATOR)
    etag = (await stack.siyu.get("/api/v1/groups/sop", headers=operator)).headers["ETag"]
    again = await stack.siyu.post(
        "/api/v1/groups/sop", json=sop("vip_weekly"), headers={**operator, "If-Match": etag}
    )
    assert again.status == 409 and (await again.json())["error"]["code"] == "conflict"
    unknown = await stack.siyu.put(
        "/api/v1/groups/sop/nosuch", json=sop("nosuch"), headers={**operator, "If-Match": etag}
    )
    assert unknown.status == 404
    assert (await stack.siyu.get("/api/v1/groups/sop/nosuch", headers=operator)).status == 404
    viewer = await key(stack, Role.VIEWER)
    refused = await stack.siyu.post(
        "/api/v1/groups/sop", json=sop(), headers={**viewer, "If-Match": etag}
    )
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "forbidden"
    assert (await stack.siyu.get("/api/v1/groups/sop")).status == 401
    wrong = {"Authorization": "Bearer siyu_000000000000_nope", "If-Match": etag}
    assert (await stack.siyu.post("/api/v1/groups/sop", json=sop(), headers=wrong)).status == 401
    names = [s.name for s in Groups.of(stack.deps).rules.sop]
    assert names == ["vip_weekly", "trial_feedback"]
