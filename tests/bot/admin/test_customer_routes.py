"""/api/v1/customers: search through the indexes, pages by cursor, one profile, bad input."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.admin.roles import Role
from handlers.customers.profiles import Customers
from tests.bot.admin.conftest import Api

T0 = 1_767_225_600  # 2026-01-01


async def _seed(api: Api, redis: Redis, count: int) -> None:
    customers = Customers(redis, api.settings.wecom.corp_id)
    for n in range(count):
        tags = [{"tag_id": "vip"}] if n % 2 else []
        await customers.upsert(
            {
                "external_contact": {"external_userid": f"wm{n:03d}", "name": f"客户{n:03d}"},
                "follow_user": [{"userid": "lina", "createtime": T0 + n, "tags": tags}],
            },
            T0,
        )


async def test_search_pages_through_every_match_once(api: Api, redis: Redis) -> None:
    await _seed(api, redis, 25)
    viewer = api.auth(Role.VIEWER)
    seen: list[str] = []
    cursor: str | None = ""
    total = None
    while cursor is not None:
        params = {"tags_any": "vip", "limit": "5", **({"cursor": cursor} if cursor else {})}
        answer = await api.client.get("/api/v1/customers", params=params, headers=viewer)
        assert answer.status == 200, await answer.text()
        page = await answer.json()
        total = page["total"] if total is None else total
        seen += [row["external_userid"] for row in page["items"]]
        cursor = page["next_cursor"]
    assert total == 12
    assert seen == [f"wm{n:03d}" for n in range(23, 0, -2)], "newest first, each once"


async def test_search_by_name_prefix_and_one_profile(api: Api, redis: Redis) -> None:
    await _seed(api, redis, 12)
    viewer = api.auth(Role.VIEWER)
    page = await (
        await api.client.get("/api/v1/customers", params={"name": "客户01"}, headers=viewer)
    ).json()
    assert [row["external_userid"] for row in page["items"]] == ["wm011", "wm010"]
    shown = await api.client.get("/api/v1/customers/wm011", headers=viewer)
    assert shown.status == 200, await shown.text()
    profile = await shown.json()
    assert profile["name"] == "客户011"
    assert profile["relations"]["lina"]["tag_ids"] == ["vip"]
    assert "indexed" not in profile, "the index's bookkeeping stays inside"
    missing = await api.client.get("/api/v1/customers/wmNOPE", headers=viewer)
    assert missing.status == 404


async def test_bad_search_input_is_422_in_the_one_shape(api: Api) -> None:
    viewer = api.auth(Role.VIEWER)
    for params in (
        {"limit": "0"},
        {"cursor": "-1"},
        {"tags_any": ",,"},
        {"added_from": "yesterday"},
    ):
        answer = await api.client.get("/api/v1/customers", params=params, headers=viewer)
        assert answer.status == 422, params
        assert (await answer.json())["error"]["code"] == "invalid"
    assert (await api.client.get("/api/v1/customers")).status == 401
