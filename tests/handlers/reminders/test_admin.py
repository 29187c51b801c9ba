"""/api/v1/reminders through the running app: statuses, filters, pagination, credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis.asyncio import Redis

from bot.admin.apikeys import ApiKeys
from bot.admin.roles import Role
from bot.clock import ManualClock
from handlers.reminders.access import reminders_of
from handlers.reminders.overview import Status, status_of
from handlers.reminders.records import Reminder, State, to_ms
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


async def add(stack: Stack, assignee: str, text: str, hours: float, state: State) -> int:
    """A reminder due ``hours`` from now, moved to ``state``."""
    repo = reminders_of(stack.deps).repo
    due = stack.clock.now() + timedelta(hours=hours)
    stored, _ = await repo.add(Reminder(0, assignee, text, to_ms(due)))
    if state is not State.PENDING:
        if state in {State.DONE, State.EXPIRED}:
            assert await repo.transition(stored, State.SENT)
        assert await repo.transition(stored.id, state)
    return stored.id


@pytest.mark.parametrize(
    ("hours", "state", "status"),
    [
        (2, State.PENDING, Status.PENDING),
        (-0.5, State.SENT, Status.DUE),
        (-0.5, State.PENDING, Status.DUE),
        (-3, State.SENT, Status.OVERDUE),
        (-3, State.SNOOZED, Status.OVERDUE),
        (-3, State.DONE, Status.DONE),
        (-3, State.EXPIRED, Status.MISSED),
        (5, State.CANCELLED, Status.CANCELLED),
    ],
)
def test_a_reminders_status(hours: float, state: State, status: Status) -> None:
    now = 1_800_000_000_000
    reminder = Reminder(1, "lina", "回访", now + int(hours * 3_600_000), state=state)
    assert status_of(reminder, now) == status


async def test_reminders_by_staff_and_status_a_page_at_a_time(stack: Stack) -> None:
    made = {
        "a": await add(stack, "lina", "回访张三", 2, State.PENDING),
        "b": await add(stack, "zhangwei", "发报价", -3, State.SENT),
        "c": await add(stack, "lina", "寄样品", -2, State.DONE),
        "d": await add(stack, "lina", "生日祝福", -2, State.EXPIRED),
        "e": await add(stack, "lina", "确认地址", -0.2, State.SENT),
    }
    viewer = await key(stack, Role.VIEWER)
    answer = await stack.siyu.get("/api/v1/reminders?assignee=lina&limit=2", headers=viewer)
    assert answer.status == 200, await answer.text()
    first = await answer.json()
    assert [(r["id"], r["status"]) for r in first["items"]] == [
        (made["e"], "due"),
        (made["d"], "missed"),
    ]
    assert first["items"][0]["due_at"].endswith("+08:00")
    rest = await (
        await stack.siyu.get(
            f"/api/v1/reminders?assignee=lina&limit=2&cursor={first['next_cursor']}",
            headers=viewer,
        )
    ).json()
    assert [(r["id"], r["status"]) for r in rest["items"]] == [
        (made["c"], "done"),
        (made["a"], "pending"),
    ]
    assert rest["next_cursor"] is None  # the oldest reminder is on this page
    empty = await stack.siyu.get(f"/api/v1/reminders?cursor={made['a']}", headers=viewer)
    assert await empty.json() == {"items": [], "next_cursor": None}
    late = await stack.siyu.get("/api/v1/reminders?status=overdue", headers=viewer)
    overdue = await late.json()
    assert [(r["id"], r["assignee"]) for r in overdue["items"]] == [(made["b"], "zhangwei")]
    assert overdue["next_cursor"] is None
    one = await (await stack.siyu.get(f"/api/v1/reminders/{made['a']}", headers=viewer)).json()
    assert one["text"] == "回访张三" and one["status"] == "pending" and one["state"] == "pending"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/reminders?limit=0", "query.limit"),
        ("/api/v1/reminders?limit=201", "query.limit"),
        ("/api/v1/reminders?status=late", "query.status"),
        ("/api/v1/reminders?cursor=-1", "query.cursor"),
        ("/api/v1/reminders?assignee=a%20b", "query.assignee"),
    ],
)
async def test_bad_queries_are_422_in_the_one_shape(stack: Stack, path: str, field: str) -> None:
    answer = await stack.siyu.get(path, headers=await key(stack, Role.VIEWER))
    assert answer.status == 422
    error = (await answer.json())["error"]
    assert error["code"] == "invalid" and [d["field"] for d in error["details"]] == [field]


async def test_credentials_are_required_and_unknown_reminders_are_404(stack: Stack) -> None:
    missing = await stack.siyu.get("/api/v1/reminders")
    assert missing.status == 401 and (await missing.json())["error"]["code"] == "unauthorized"
    wrong = await stack.siyu.get("/api/v1/reminders", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    viewer = await key(stack, Role.VIEWER)
    for path in ("/api/v1/reminders/99", "/api/v1/reminders/abc", "/api/v1/reminders/0"):
        answer = await stack.siyu.get(path, headers=viewer)
        assert answer.status == 404 and (await answer.json())["error"]["code"] == "not_found"


async def test_the_routes_are_in_the_openapi_document(stack: Stack) -> None:
    document = await (await stack.siyu.get("/api/v1/openapi.json")).json()
    listed = document["paths"]["/api/v1/reminders"]["get"]
    assert {p["name"] for p in listed["parameters"]} == {"assignee", "status", "limit", "cursor"}
    assert "/api/v1/reminders/{reminder_id}" in document["paths"]
