"""When reminders are due, WeCom's remind limits, months and caps; results counted once."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from bot.store import keys
from config.settings import TaskSettings
from handlers.tasks.caps import cap_for, month_of, month_ttl
from handlers.tasks.model import Chunk, Content, CustomerFilter, Exclusions, TaskSpec
from handlers.tasks.nudges import reminder_due, wecom_reminder_allowed
from handlers.tasks.records import CallRecord, CallState, StaffRecord
from handlers.tasks.store import MonthlySends, TaskStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
T = int(NOW.timestamp())
H = 3600
SETTINGS = TaskSettings(
    first_reminder_after_hours=4, last_call_hours=2, remind_every_hours=24, max_reminders=3
)


@pytest.mark.parametrize(
    ("staff", "after_hours", "deadline_hours", "due"),
    [
        (StaffRecord("a", 10, prompted_at=T), 3.9, 48, False),
        (StaffRecord("a", 10, prompted_at=T), 4, 48, True),
        (StaffRecord("a", 10), 5, 48, False),  # never prompted (its call failed)
        (StaffRecord("a", 10, sent_calls=1, prompted_at=T), 5, 48, False),  # sent
        (StaffRecord("a", 10, calls=2, sent_calls=1, prompted_at=T), 5, 48, True),  # partial
        (StaffRecord("a", 10, prompted_at=T), 1, 3, True),  # last call: 2 h before 3 h
        (StaffRecord("a", 10, prompted_at=T), 0.9, 3, False),
        (StaffRecord("a", 10, prompted_at=T), 49, 48, False),  # past the deadline
        (StaffRecord("a", 10, prompted_at=T, reminders=1, reminded_at=T + 4 * H), 27.9, 72, False),
        (StaffRecord("a", 10, prompted_at=T, reminders=1, reminded_at=T + 4 * H), 28, 72, True),
        (StaffRecord("a", 10, prompted_at=T, reminders=3, reminded_at=T), 100, 200, False),
    ],
    ids=[
        "too-soon",
        "due",
        "unprompted",
        "sent",
        "partial",
        "last-call",
        "before-last-call",
        "past-deadline",
        "gap-not-yet",
        "gap-over",
        "max",
    ],
)
def test_reminder_due(
    staff: StaffRecord, after_hours: float, deadline_hours: float, due: bool
) -> None:
    now = NOW + timedelta(hours=after_hours)
    assert reminder_due(staff, now, NOW + timedelta(hours=deadline_hours), SETTINGS) is due


@pytest.mark.parametrize(
    ("call", "allowed"),
    [
        (CallRecord(0, "a", 5, CallState.CREATED.value, "m"), True),
        (CallRecord(0, "a", 5, CallState.CREATED.value, "m", sent=True), False),
        (CallRecord(0, "a", 5, CallState.CREATED.value, "m", cancelled=True), False),
        (CallRecord(0, "a", 5, CallState.FAILED.value), False),
        (
            CallRecord(
                0,
                "a",
                5,
                CallState.CREATED.value,
                "m",
                wecom_reminders=1,
                wecom_reminded_at=T - 23 * H,
            ),
            False,
        ),
        (
            CallRecord(
                0,
                "a",
                5,
                CallState.CREATED.value,
                "m",
                wecom_reminders=2,
                wecom_reminded_at=T - 24 * H,
            ),
            True,
        ),
        (
            CallRecord(
                0,
                "a",
                5,
                CallState.CREATED.value,
                "m",
                wecom_reminders=3,
                wecom_reminded_at=T - 99 * H,
            ),
            False,
        ),
    ],
    ids=["first", "sent", "cancelled", "not-made", "within-24h", "after-24h", "three-done"],
)
def test_wecom_reminder_limits(call: CallRecord, allowed: bool) -> None:
    assert wecom_reminder_allowed(call, NOW) is allowed


def test_months_are_local_and_the_cap_is_the_days_in_the_month() -> None:
    late = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 00:30 on 1 December in Shanghai
    assert month_of(late, SHANGHAI) == "202612"
    assert cap_for(late, SHANGHAI, 0) == 31
    assert cap_for(NOW, SHANGHAI, 0) == 30
    assert cap_for(datetime(2027, 2, 10, tzinfo=UTC), SHANGHAI, 0) == 28
    assert cap_for(NOW, SHANGHAI, 4) == 4
    assert month_ttl(NOW, SHANGHAI) == pytest.approx((6 + 1 + 32) * 86400 - 18 * H, abs=H)


async def test_results_count_each_send_once_in_its_month(redis: Redis) -> None:
    corp = f"wwrules{secrets.token_hex(4)}"
    store, months = TaskStore(redis, corp), MonthlySends(redis, corp)
    spec = TaskSpec("t", Content("x"), NOW + timedelta(days=1), CustomerFilter(everyone=True))
    task_id, _ = await store.create(spec, T)
    await store.save_plan(task_id, [Chunk(0, "a", ("c1", "c2", "c3"))], 3, Exclusions(), T)
    assert await store.result_counts(task_id) == {
        "unsent": 3,
        "sent": 0,
        "not_friend": 0,
        "capped": 0,
    }
    for _ in range(2):  # a repeated poll changes nothing and counts nothing again
        await store.record_results(task_id, {"c1": 1, "c2": 2, "c3": 3}, "202611", 4, 3600)
    assert await store.result_counts(task_id) == {
        "unsent": 0,
        "sent": 1,
        "not_friend": 1,
        "capped": 1,
    }
    assert await months.counts("202611", ["c1", "c2", "c3"]) == {"c1": 1, "c3": 4}
    assert 0 < await redis.ttl(keys.groupmsg_month(corp, "202611")) <= 3600
