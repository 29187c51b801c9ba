"""/api/v1/dead-letters: pages by cursor, bad limits and ids refused in the error shape, replays
audited."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.admin.roles import Role
from bot.queue import EventQueue, QueuedEvent
from tests.bot.admin.conftest import Api


async def _dead(api: Api, redis: Redis, count: int) -> list[str]:
    queue = EventQueue(redis, api.settings.wecom.corp_id)
    await queue.ensure_group()
    made = []
    for n in range(count):
        entry = QueuedEvent(f"1-{n + 1}", "default", "text", f"msg|{n}", "<xml>private</xml>", 0)
        made.append(await queue.dead_letter(entry, 5, "RuntimeError: boom"))
    return made


async def test_dead_letters_come_in_pages_by_cursor(api: Api, redis: Redis) -> None:
    made = await _dead(api, redis, 5)
    seen: list[str] = []
    cursor = ""
    for _ in range(5):
        path = "/api/v1/dead-letters?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await api.client.get(path, headers=api.auth(Role.VIEWER))).json()
        seen += [item["id"] for item in page["items"]]
        assert all("xml" not in item for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=-1", "limit=1001", "limit=many", "cursor=nope"]
)
async def test_bad_pages_are_422_not_500(api: Api, query: str) -> None:
    answer = await api.client.get(f"/api/v1/dead-letters?{query}", headers=api.auth(Role.VIEWER))
    assert answer.status == 422
    error = (await answer.json())["error"]
    assert error["code"] == "invalid"
    assert error["details"][0]["field"] == f"query.{query.split('=', maxsplit=1)[0]}"


SEEDER = "siyu:defaults"  # the rules store seeds its defaults on start, audited too


@pytest.mark.parametrize("dead_id", ["nosuch", "0-1", "99999999999999999999999-1"])
async def test_replaying_what_is_not_there_is_404(api: Api, dead_id: str) -> None:
    answer = await api.client.post(
        f"/api/v1/dead-letters/{dead_id}/replay", headers=api.auth(Role.OPERATOR)
    )
    assert answer.status == 404
    assert (await answer.json())["error"]["code"] == "not_found"


async def test_a_replay_is_audited_with_its_actor(api: Api, redis: Redis) -> None:
    [dead_id] = await _dead(api, redis, 1)
    operator = api.auth(Role.OPERATOR)
    replayed = await api.client.post(f"/api/v1/dead-letters/{dead_id}/replay", headers=operator)
    new_id = (await replayed.json())["replayed_as"]
    audit = await (await api.client.get("/api/v1/audit", headers=operator)).json()
    [entry] = [item for item in audit["items"] if item["actor"] != SEEDER]
    assert entry["actor"].startswith("key:")
    assert entry["action"] == "POST /api/v1/dead-letters/{dead_id}/replay"
    assert entry["document"] == f"dead-letters/{dead_id}"
    assert entry["diff"] == {"replayed_as": new_id}
    assert entry["at"].startswith("2026-11-24T10:00:00")


async def test_reads_and_refusals_are_not_audited(api: Api) -> None:
    viewer, operator = api.auth(Role.VIEWER), api.auth(Role.OPERATOR)
    await api.client.get("/api/v1/queue", headers=viewer)
    await api.client.post("/api/v1/dead-letters/0-1/replay", headers=operator)  # 404
    await api.client.post("/api/v1/dead-letters/0-1/replay", headers=viewer)  # 403
    audit = await (await api.client.get("/api/v1/audit", headers=viewer)).json()
    assert [item for item in audit["items"] if item["actor"] != SEEDER] == []
    assert audit["next_cursor"] is None


async def test_unknown_routes_and_methods_answer_in_the_error_shape(api: Api) -> None:
    viewer = api.auth(Role.VIEWER)
    missing = await api.client.get("/api/v1/nothing-here", headers=viewer)
    assert (missing.status, (await missing.json())["error"]["code"]) == (404, "not_found")
    wrong = await api.client.patch("/api/v1/queue", headers=viewer)
    assert (wrong.status, (await wrong.json())["error"]["code"]) == (405, "method_not_allowed")
