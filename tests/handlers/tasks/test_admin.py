"""/api/v1/tasks through the running app: create (by tag names, idempotently), show, cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from tests.handlers.tasks.stack import Stack, start_stack
from tests.support.stack import ClientFactory

TOKEN = "campaigns-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})


def body(stack: Stack, **customers: Any) -> dict[str, Any]:
    return {
        "title": "直播预告",
        "content": {"text": "今晚8点直播", "attachments": []},
        "deadline": (stack.clock.now() + timedelta(days=1)).isoformat(),
        "customers": customers,
    }


async def test_create_by_tag_names_then_show_and_cancel(stack: Stack) -> None:
    headers = {**AUTH, "Idempotency-Key": "req-1"}
    payload = body(stack, any_tags=["直播", "朋友推荐"], no_tags=["低意向"])
    first = await stack.siyu.post("/api/v1/tasks", json=payload, headers=headers)
    assert first.status == 202
    created = await first.json()
    again = await (await stack.siyu.post("/api/v1/tasks", json=payload, headers=headers)).json()
    assert again == {"id": created["id"], "created": False}  # a retried POST makes nothing new
    await stack.drained()

    shown = await stack.siyu.get(f"/api/v1/tasks/{created['id']}", headers=AUTH)
    state = await shown.json()
    assert state["state"] == "active"
    assert state["spec"]["customers"]["any_tags"] == ["etDEMOlive", "etDEMOfriend"]
    assert sorted(s["userid"] for s in state["staff"]) == ["lina", "zhangwei"]
    calls = await stack.calls("externalcontact/add_msg_template")
    assert sorted(t for c in calls for t in c["body"]["external_userid"]) == [
        "wmDEMOsunjing0003",
        "wmDEMOzhaomin0002",
    ]

    listed = await (await stack.siyu.get("/api/v1/tasks", headers=AUTH)).json()
    assert [t["id"] for t in listed] == [created["id"]]
    cancel = await stack.siyu.post(f"/api/v1/tasks/{created['id']}/cancel", headers=AUTH)
    assert await cancel.json() == {"outcome": "cancelled"}
    refreshed = await stack.siyu.post(f"/api/v1/tasks/{created['id']}/refresh", headers=AUTH)
    assert (await refreshed.json())["task"]["state"] == "cancelled"


@pytest.mark.parametrize(
    ("payload", "status", "reason"),
    [
        ({"content": {"text": "x"}}, 422, "body.deadline"),
        ({"customers": {"all_tags": ["没有这个标签"]}}, 422, "no tag named"),
        ({"customers": {}}, 422, "say all customers"),
        ({"customers": {"everyone": True}, "deadline": "2020-01-01T00:00:00+08:00"}, 422, "past"),
        ({"customers": {"everyone": True}, "deadline": "2030-01-01T00:00:00"}, 422, "timezone"),
        ({"customers": {"all_tags": "高意向"}}, 422, "body.customers.all_tags"),
    ],
    ids=["no-deadline", "unknown-tag", "no-criterion", "past", "naive", "not-a-list"],
)
async def test_bad_tasks_are_refused(
    stack: Stack, payload: dict[str, Any], status: int, reason: str
) -> None:
    sent = {**body(stack), **payload}
    if "deadline" not in payload and payload.get("content"):
        sent.pop("deadline")
    answer = await stack.siyu.post("/api/v1/tasks", json=sent, headers=AUTH)
    assert answer.status == status
    error = (await answer.json())["error"]
    assert error["code"] == "invalid"
    assert reason in error["message"] + str(error["details"])


async def test_unknown_tasks_are_404(stack: Stack) -> None:
    for method, path in (
        ("GET", "/api/v1/tasks/77"),
        ("POST", "/api/v1/tasks/77/cancel"),
        ("GET", "/api/v1/tasks/abc"),
        ("POST", "/api/v1/tasks/-1/refresh"),
    ):
        answer = await stack.siyu.request(method, path, headers=AUTH)
        assert answer.status == 404


async def test_a_dry_run_tells_the_audience_and_stores_nothing(stack: Stack) -> None:
    payload = body(stack, any_tags=["直播", "朋友推荐"], no_tags=["低意向"])
    answer = await stack.siyu.post("/api/v1/tasks/dry-run", json=payload, headers=AUTH)
    assert answer.status == 200, await answer.text()
    preview = await answer.json()
    assert preview["targets"] == 2
    assert preview["sample"] == ["wmDEMOsunjing0003", "wmDEMOzhaomin0002"]
    assert sum(preview["per_sender"].values()) == 2
    assert preview["calls"] == len(preview["per_sender"])
    assert await (await stack.siyu.get("/api/v1/tasks", headers=AUTH)).json() == []
    assert await stack.calls("externalcontact/add_msg_template") == []
    refused = await stack.siyu.post("/api/v1/tasks/dry-run", json=body(stack), headers=AUTH)
    assert refused.status == 422
