"""客户 in the console through the real app: the search (name prefix, tags, staff, channel,
added from/until) paged by cursor, a profile, do-not-disturb switched by operators only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from bot.admin.roles import Role
from bot.app import Role as AppRole
from bot.app import create_app
from bot.clock import ManualClock
from config.settings import Settings
from handlers.conversations.transcripts import Transcripts
from handlers.customers import pages
from handlers.customers.do_not_disturb import DoNotDisturb
from handlers.customers.profiles import Customers
from handlers.customers.tags import CorpTag, TagCatalogue
from tests.bot.admin.conftest import ClientFactory
from tests.support.console import Client, add_accounts, log_in

DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01 00:00 UTC = 08:00 Asia/Shanghai


def snapshot(ext: str, name: str, *relations: tuple[str, int, tuple[str, ...], str]) -> Any:
    return {
        "external_contact": {"external_userid": ext, "name": name},
        "follow_user": [
            {
                "userid": userid,
                "createtime": at,
                "tags": [{"tag_id": t} for t in tags],
                "state": state,
            }
            for userid, at, tags, state in relations
        ],
    }


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock, redis: Redis
) -> Client:
    corp = settings.wecom.corp_id
    customers = Customers(redis, corp)
    await customers.upsert(snapshot("wmA", "张伟", ("lina", T0, ("vip", "new"), "poster")), T0)
    await customers.upsert(
        snapshot(
            "wmB",
            "张敏",
            ("lina", T0 + DAY, ("new",), "expo"),
            ("wang", T0 + 2 * DAY, ("vip",), ""),
        ),
        T0,
    )
    await customers.upsert(snapshot("wmC", "李娜", ("wang", T0 + 3 * DAY, (), "poster")), T0)
    await TagCatalogue(redis, corp).put([CorpTag("vip", "重要客户", "g1", "等级")])
    await add_accounts(redis, corp, clock.now())
    return await aiohttp_client(create_app(settings, role=AppRole.ADMIN, clock=clock))


def found(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('data-customer="')[1:]]


async def test_the_search_filters_by_every_criterion(client: Client) -> None:
    await log_in(client, Role.VIEWER)
    search = "/console/customers?"
    assert "输入条件后搜索客户" in await (await client.get("/console/customers")).text()
    assert found(await (await client.get(search + "name=张")).text()) == ["wmB", "wmA"]
    assert found(await (await client.get(search + "tags=vip")).text()) == ["wmB", "wmA"]
    assert found(await (await client.get(search + "staff=wang")).text()) == ["wmC", "wmB"]
    assert found(await (await client.get(search + "channel=poster")).text()) == ["wmC", "wmA"]
    page = await (await client.get(search + "added_from=2026-01-02&added_until=2026-01-03")).text()
    assert found(page) == ["wmB"] and "共找到 1 位客户" in page


async def test_results_are_paged_by_cursor(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    await log_in(client, Role.VIEWER)
    first = await (await client.get("/console/customers?name=&tags=&staff=lina,wang")).text()
    assert found(first) == ["wmC", "wmB"] and "共找到 3 位客户" in first
    assert "cursor=2" in first
    second = await (await client.get("/console/customers?staff=lina,wang&cursor=2")).text()
    assert found(second) == ["wmA"] and 'data-testid="more"' not in second


async def test_a_profile_shows_relations_tags_channel_and_dnd(client: Client) -> None:
    await log_in(client, Role.VIEWER)
    page = await (await client.get("/console/customers/wmB")).text()
    assert "张敏" in page and "lina" in page and "wang" in page and "expo" in page
    assert "等级/重要客户" in page and "new" in page
    assert "2026-01-02 08:00" in page  # first added, in the corp's time zone
    assert 'data-testid="dnd-form"' not in page and "只读账号" in page
    assert (await client.get("/console/customers/nobody")).status == 404


async def test_an_operator_switches_do_not_disturb(
    client: Client, settings: Settings, redis: Redis
) -> None:
    csrf = await log_in(client, Role.OPERATOR)
    answer = await client.post(
        "/console/customers/wmA/dnd",
        allow_redirects=False,
        data={"csrf": csrf, "on": "1", "reason": "投诉"},
    )
    assert answer.status == 303
    page = await (await client.get(answer.headers["Location"])).text()
    assert "免打扰" in page and "投诉" in page and "移出免打扰" in page
    entry = await DoNotDisturb(redis, settings.wecom.corp_id).get("wmA")
    assert entry is not None and entry.reason == "投诉"
    await client.post("/console/customers/wmA/dnd", data={"csrf": csrf, "on": "0"})
    assert await DoNotDisturb(redis, settings.wecom.corp_id).get("wmA") is None


async def test_a_viewer_and_a_form_without_csrf_are_refused(
    client: Client, settings: Settings, redis: Redis
) -> None:
    csrf = await log_in(client, Role.VIEWER)
    refused = await client.post("/console/customers/wmA/dnd", data={"csrf": csrf, "on": "1"})
    assert refused.status == 403
    await log_in(client, Role.OPERATOR)
    forged = await client.post("/console/customers/wmA/dnd", data={"on": "1"})
    assert forged.status == 403 and "表单已过期" in await forged.text()
    assert await DoNotDisturb(redis, settings.wecom.corp_id).get("wmA") is None


async def test_a_profile_shows_the_kf_transcript_newest_last_and_marked(
    client: Client, settings: Settings, redis: Redis
) -> None:
    transcripts = Transcripts(redis, settings.wecom.corp_id, 200, 30)
    start = datetime.fromtimestamp(T0, UTC)
    for n in range(60):  # more than the page shows
        await transcripts.add("wmA", start + timedelta(minutes=n), "customer", f"旧消息{n}")
    await transcripts.add("wmA", start + timedelta(hours=2), "customer", "多少钱<script>")
    shanghai = ZoneInfo("Asia/Shanghai")
    await transcripts.add(
        "wmA", datetime(2026, 1, 1, 10, 0, 5, tzinfo=shanghai), "bot", "月卡 299 元"
    )
    await transcripts.add("wmA", start + timedelta(hours=2, seconds=9), "servicer:lina", "您好")
    await log_in(client, Role.VIEWER)

    page = await (await client.get("/console/customers/wmA")).text()

    table = page.split('data-testid="kf-transcript"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr ")[1:]
    assert len(rows) == pages.TRANSCRIPT_LINES, "bounded"
    assert [row.split('data-who="')[1].split('"')[0] for row in rows[-3:]] == [
        "customer",
        "bot",
        "servicer",
    ]
    assert "2026-01-01 10:00:00" in rows[-3] and "客户" in rows[-3], "in the corp's time zone"
    assert "多少钱&lt;script&gt;" in rows[-3], "escaped"
    assert "机器人" in rows[-2] and "月卡 299 元" in rows[-2]
    assert "客服 lina" in rows[-1] and "2026-01-01 10:00:09" in rows[-1]
    assert "旧消息13<" in rows[0] and "旧消息12<" not in table, "the newest 50, oldest first"
    other = await (await client.get("/console/customers/wmB")).text()
    assert "没有微信客服聊天记录。" in other


async def test_a_customer_known_only_from_kf_has_a_page_with_the_transcript(
    client: Client, settings: Settings, redis: Redis
) -> None:
    transcripts = Transcripts(redis, settings.wecom.corp_id, 200, 30)
    await transcripts.add("wmKFonly", datetime.fromtimestamp(T0, UTC), "customer", "你好")
    await log_in(client, Role.VIEWER)
    answer = await client.get("/console/customers/wmKFonly")
    assert answer.status == 200
    assert "你好" in await answer.text()
