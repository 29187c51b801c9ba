"""SOP and rule reminders armed on contact events, each event in one Redis call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store import keys
from bot.store.ledger import Ledger
from config.settings import Settings
from handlers.reminders import automation
from handlers.reminders.records import Reminder, State, to_ms
from handlers.reminders.repository import ReminderRepository
from handlers.reminders.service import ReminderService

STAFF = "zhangwei"
CUSTOMER = "wmNewCustomer"


@pytest.fixture
async def service(redis: Redis, settings: Settings, clock: ManualClock) -> ReminderService:
    """The shipped rules: the "new_customer" SOP (4 steps) for any channel, silence and win-back."""
    built = ReminderService.build(redis, settings, clock, Ledger(redis, settings.wecom.corp_id))
    await built.live_rules.start()  # seeds the empty store with config/reminders.toml
    return built


def _by_source(reminders: list[Reminder]) -> dict[str, State]:
    return {r.source: r.state for r in reminders}


async def test_an_add_starts_the_channel_sop_and_arms_the_silence_rule(
    service: ReminderService, clock: ManualClock
) -> None:
    made = await automation.on_customer_added(service, STAFF, CUSTOMER, "ch_poster_a", clock.now())
    assert made == 5
    pair = await service.repo.of_pair(STAFF, CUSTOMER)
    assert _by_source(pair) == {
        "sop:new_customer:0": State.PENDING,
        "sop:new_customer:1": State.PENDING,
        "sop:new_customer:2": State.PENDING,
        "sop:new_customer:3": State.PENDING,
        automation.SILENT: State.PENDING,
    }
    assert len(await service.repo.active_of(STAFF)) == 5
    first = min(pair, key=lambda r: r.due_ms)
    assert first.due == clock.now() + timedelta(minutes=30)
    assert first.content.startswith("您好，这是我们的产品手册")
    assert [r.id for r in pair] == sorted({r.id for r in pair}), "numbered once each"


async def test_the_same_add_delivered_twice_arms_nothing_new(
    service: ReminderService, clock: ManualClock
) -> None:
    await automation.on_customer_added(service, STAFF, CUSTOMER, "ch_live_b", clock.now())
    before = await service.repo.of_pair(STAFF, CUSTOMER)
    await automation.on_customer_added(service, STAFF, CUSTOMER, "ch_live_b", clock.now())
    after = await service.repo.of_pair(STAFF, CUSTOMER)
    assert [r.id for r in after] == [r.id for r in before]
    assert {r.source for r in after} == {"sop:live:0", "sop:live:1", automation.SILENT}
    assert all(r.state == State.PENDING for r in after), "a redelivery cancels nothing"


async def test_activity_moves_the_silence_reminder_and_leaves_the_sop_alone(
    service: ReminderService, clock: ManualClock
) -> None:
    added = clock.now()
    await automation.on_customer_added(service, STAFF, CUSTOMER, "ch_live_b", added)
    later = added + timedelta(days=2)
    assert await automation.on_customer_activity(service, STAFF, CUSTOMER, later) == 1
    pair = await service.repo.of_pair(STAFF, CUSTOMER)
    silences = [r for r in pair if r.source == automation.SILENT]
    assert [r.state for r in silences] == [State.CANCELLED, State.PENDING]
    assert silences[0].note == "customer active again"
    assert silences[1].due.date() == (later + timedelta(days=7)).date()
    assert [r.state for r in pair if r.source.startswith("sop:")] == [State.PENDING] * 2
    due = keys.reminders_due(service.repo.corp_id)
    due_ids = {int(str(i)) for i in await service.repo.redis.zrange(due, 0, -1)}
    assert silences[0].id not in due_ids and silences[1].id in due_ids


async def test_the_customer_leaving_skips_the_sop_and_arms_a_win_back(
    service: ReminderService, clock: ManualClock
) -> None:
    await automation.on_customer_added(service, STAFF, CUSTOMER, "ch_poster_a", clock.now())
    other = await service.repo.add(
        Reminder(0, STAFF, "回访", to_ms(clock.now()), customer_id=CUSTOMER, source="chat")
    )
    left = clock.now() + timedelta(days=1)
    cancelled = await automation.on_relationship_ended(
        service, STAFF, CUSTOMER, left, by_customer=True
    )
    assert cancelled == 5
    pair = {r.id: r for r in await service.repo.of_pair(STAFF, CUSTOMER)}
    assert pair[other[0].id].state == State.PENDING, "a staff member's own reminder stays"
    [win_back] = [r for r in pair.values() if r.source == automation.WIN_BACK]
    assert win_back.state == State.PENDING
    assert win_back.due.date() == (left + timedelta(days=30)).date()
    assert {r.id for r in await service.repo.active_of(STAFF)} == {other[0].id, win_back.id}


async def test_staff_removing_the_customer_arms_no_win_back(
    service: ReminderService, clock: ManualClock
) -> None:
    await automation.on_customer_added(service, STAFF, CUSTOMER, "ch_poster_a", clock.now())
    cancelled = await automation.on_relationship_ended(
        service, STAFF, CUSTOMER, clock.now(), by_customer=False
    )
    assert cancelled == 5
    assert await service.repo.active_of(STAFF) == []


async def test_arm_refuses_a_reminder_of_another_pair(redis: Redis, settings: Settings) -> None:
    repo = ReminderRepository(redis, settings.wecom.corp_id)
    stray = Reminder(0, "lina", "回访", 1_800_000_000_000, customer_id=CUSTOMER)
    with pytest.raises(ValueError, match="armed as zhangwei"):
        await repo.arm(STAFF, CUSTOMER, [(stray, "")])
    assert await repo.of_pair("lina", CUSTOMER) == []


async def test_a_stored_reminder_reads_back_the_same(redis: Redis, settings: Settings) -> None:
    repo = ReminderRepository(redis, settings.wecom.corp_id)
    plain = Reminder(0, STAFF, "回访", 1_800_000_000_000)
    full = Reminder(
        0,
        STAFF,
        "发资料",
        1_800_000_000_000,
        customer_id=CUSTOMER,
        customer_name="刘洋",
        source="sop:x:0",
        content="您好",
        created_ms=5,
        note="n",
        extra={"k": "v"},
    )
    for reminder in (plain, full):
        stored, created = await repo.add(reminder)
        assert created
        assert await repo.get(stored.id) == stored
