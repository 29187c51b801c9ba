"""Customer groups through the sandbox: quit spikes, group SOP, welcome templates, labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.events.ticks import enqueue_minute_tick
from bot.live import RUNTIME
from handlers.groups import alerts, welcome
from handlers.groups.context import Groups
from handlers.groups.digests import covered_day, digest_slot
from handlers.groups.jobs import tick
from handlers.groups.rules import GroupRules, WelcomeTemplate, load_group_rules
from handlers.reminders.access import REMINDERS
from handlers.tasks import service
from handlers.tasks.model import Content, GroupFilter, TaskSpec
from tests.handlers.tasks.stack import Stack, start_stack
from tests.support.stack import ClientFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOKEN = "groups-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        admin={"token": TOKEN},
        groups={"quit_spike_count": 3, "quit_spike_minutes": 60},
    )


async def group(stack: Stack, chat_id: str, name: str, owner: str, people: int = 0) -> None:
    await stack.sandbox.control(
        "POST", "groups", {"chat_id": chat_id, "name": name, "owner": owner}
    )
    if people:
        members = [f"wm{chat_id}{n:03d}" for n in range(people)]
        await stack.sandbox.control(
            "POST", f"groups/{chat_id}/join", {"members": members, "scene": 3}
        )
    await stack.drained()


async def quit_one(stack: Stack, chat_id: str, person: int) -> None:
    await stack.sandbox.control(
        "POST", f"groups/{chat_id}/quit", {"members": [f"wm{chat_id}{person:03d}"], "scene": 0}
    )
    await stack.drained()


def alerts_to(cards: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [
        c
        for c in cards
        if c["msgtype"] == "template_card"
        and c["template_card"]["main_title"]["title"].startswith(prefix)
    ]


async def test_a_spike_of_quits_alerts_the_owner_once_per_window(stack: Stack) -> None:
    await group(stack, "wrSPIKE", "活动群", "lina", people=10)
    for person in range(2):
        await quit_one(stack, "wrSPIKE", person)
    assert alerts_to(await stack.cards_to("lina"), "退群提醒") == []
    await quit_one(stack, "wrSPIKE", 2)  # the third within the hour
    await quit_one(stack, "wrSPIKE", 3)
    [alert] = alerts_to(await stack.cards_to("lina"), "退群提醒")
    assert alert["template_card"]["main_title"]["desc"] == "60 分钟内 3 人退群"

    stack.clock.advance(timedelta(minutes=61))  # a new window: three more quits alert again
    for person in range(4, 7):
        await quit_one(stack, "wrSPIKE", person)
    assert len(alerts_to(await stack.cards_to("lina"), "退群提醒")) == 2


async def test_sensitive_word_hook_tells_the_managers(stack: Stack) -> None:
    await group(stack, "wrWORDS", "售后群", "wangfang", people=1)
    groups = Groups.of(stack.deps)
    assert await alerts.sensitive_word(groups, "wrWORDS", "wmX", ["加微信"], stack.clock.now())
    [card] = alerts_to(await stack.cards_to("wangfang"), "敏感词提醒")
    assert {"keyname": "敏感词", "value": "加微信"} in card["template_card"][
        "horizontal_content_list"
    ]
    assert not await alerts.sensitive_word(groups, "wrNONE", "wmX", ["x"], stack.clock.now())


async def test_group_sop_reminds_owners_of_labelled_groups_through_reminders(stack: Stack) -> None:
    await group(stack, "wrTRIAL", "新品体验二群", "lina")  # label "trial": Wednesdays 15:00
    await group(stack, "wrOTHER", "售后群", "zhangwei")
    tuesday = stack.clock.now()  # Tuesday 18:00 in Shanghai
    assert (await tick(stack.deps, tuesday)).sop_reminders == 0
    wednesday = tuesday + timedelta(hours=15)  # 09:00
    assert (await tick(stack.deps, wednesday)).sop_reminders == 1
    assert (await tick(stack.deps, wednesday + timedelta(minutes=1))).sop_reminders == 0
    service_ = stack.deps.get(REMINDERS)
    [reminder] = await service_.repo.active_of("lina")
    assert reminder.text == "在体验群收集本周试用反馈（新品体验二群）"
    assert reminder.due.astimezone(SHANGHAI).hour == 15
    assert reminder.content.startswith("这周的试用体验怎么样")
    assert await service_.repo.active_of("zhangwei") == []
    assert (await tick(stack.deps, wednesday + timedelta(hours=7))).sop_reminders == 0  # past


async def test_welcome_templates_follow_the_rules(stack: Stack) -> None:
    rules = load_group_rules()
    groups = Groups.of(stack.deps, rules=rules)
    assert await welcome.sync(groups) == {"default": "added", "vip": "added"}
    assert await welcome.sync(groups) == {"default": "unchanged", "vip": "unchanged"}
    changed = GroupRules(
        welcome_templates=[
            rules.welcome_templates[0].model_copy(update={"text": "欢迎 %NICKNAME%！"}),
            WelcomeTemplate(name="new", text="你好"),
        ]
    )
    outcome = await welcome.sync(Groups.of(stack.deps, rules=changed))
    assert outcome == {"default": "edited", "new": "added", "vip": "deleted"}
    known = await welcome.known_templates(groups)
    assert sorted(known) == ["default", "new"]
    answer = await stack.sandbox.post(
        "externalcontact/group_welcome_template/get",
        {"template_id": known["default"]["template_id"]},
    )
    assert answer["text"]["content"] == "欢迎 %NICKNAME%！"
    synced = await stack.siyu.post("/api/v1/groups/welcome-templates/sync", headers=AUTH)
    assert await synced.json() == {"default": "edited", "vip": "added", "new": "deleted"}


async def test_a_group_task_to_labelled_groups_of_an_owner(stack: Stack) -> None:
    imported = await stack.siyu.post("/api/v1/groups/import", headers=AUTH)
    assert await imported.json() == {"imported": 2}  # the demo corp's groups
    shown = await (await stack.siyu.get("/api/v1/groups/wrDEMOvip0001", headers=AUTH)).json()
    assert shown["labels"] == ["VIP"] and shown["admins"] == ["lina"]
    spec = TaskSpec(
        "VIP 群通知",
        Content("本周五会员日"),
        stack.clock.now() + timedelta(days=1),
        groups=GroupFilter(labels=("VIP",)),
        operator="manager",
    )
    task_id = await stack.create(spec)
    await stack.drained()
    [call] = await stack.calls("externalcontact/add_msg_template")
    assert call["body"]["chat_type"] == "group"
    assert (call["body"]["sender"], call["body"]["chat_id_list"]) == ("zhangwei", ["wrDEMOvip0001"])
    state = await stack.state(task_id)
    await stack.confirm(state["msgids"][0], "zhangwei")
    stack.clock.advance(timedelta(minutes=10))
    assert await service.refresh(stack.deps, task_id) == "completed"


@pytest.mark.parametrize(
    ("local", "at", "slot"),
    [
        ("2026-11-24T20:59", "21:00", None),
        ("2026-11-24T21:00", "21:00", "2026-11-24T21:00"),
        ("2026-11-24T22:00", "21:00", "2026-11-24T21:00"),
        ("2026-11-24T22:01", "21:00", None),
        ("2026-11-25T00:30", "00:00", "2026-11-25T00:00"),
    ],
)
def test_digest_time_window(local: str, at: str, slot: str | None) -> None:
    moment = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)
    found = digest_slot(moment, at, 60)
    assert (found.isoformat()[:16] if found else None) == slot


def test_the_day_a_digest_covers() -> None:
    slot = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
    assert covered_day(slot, "today").day == 24
    assert covered_day(slot, "yesterday").day == 23
    utc_evening = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    assert digest_slot(utc_evening.astimezone(SHANGHAI), "21:00", 60) is not None


async def test_the_schedulers_tick_runs_in_a_worker_once_per_slot(stack: Stack) -> None:
    await group(stack, "wrTICK", "活动群", "lina", people=2)
    stack.clock.advance(timedelta(hours=3))  # 21:00 in Shanghai: digest time
    queue = stack.siyu.app[RUNTIME].queue
    corp = stack.settings.wecom.corp_id
    assert await enqueue_minute_tick(queue, corp, "default", stack.clock.now()) is not None
    again = stack.clock.now() + timedelta(seconds=30)  # a deposed leader, the same minute
    assert await enqueue_minute_tick(queue, corp, "default", again) is None
    await stack.drained()
    [digest] = alerts_to(await stack.cards_to("lina"), "群日报")
    assert digest["template_card"]["emphasis_content"]["title"] == "3"


async def test_archived_group_messages_make_the_digests_most_active_members(stack: Stack) -> None:
    await group(stack, "wrTALK", "活动群", "lina", people=3)
    when = stack.clock.now().isoformat()
    talk = [
        {"msgid": f"m{i}", "from": sender, "roomid": "wrTALK", "text": "在吗", "time": when}
        for i, sender in enumerate(["wmwrTALK001"] * 3 + ["wmwrTALK000"] + ["lina"] * 2)
    ]
    for _ in range(2):  # a puller retrying the batch counts nothing twice
        posted = await stack.siyu.post("/api/v1/archive/messages", json=talk, headers=AUTH)
        assert posted.status == 200
        await stack.drained()
    stack.clock.advance(timedelta(hours=3))  # 21:00
    assert (await tick(stack.deps, stack.clock.now())).digests == ["wrTALK"]
    [digest] = alerts_to(await stack.cards_to("lina"), "群日报")
    rows = {r["keyname"]: r["value"] for r in digest["template_card"]["horizontal_content_list"]}
    names = {m.userid: m.name for m in await Groups.of(stack.deps).registry.members("wrTALK")}
    assert rows["最活跃"] == (
        f"{names['wmwrTALK001']}(3)、{names['lina']}(2)、{names['wmwrTALK000']}(1)"
    )
