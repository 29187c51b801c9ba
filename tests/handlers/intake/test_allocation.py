"""Allocation as WeCom would live it: WeCom hands adds round-robin to whoever the code lists;
siyu only changes the list. These tests play that loop in memory."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.intake import allocation
from handlers.intake.rules import Channel, IntakeRules

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def rules(
    staff: list[dict[str, Any]], backup: list[str] | None = None, tolerance: float = 2.0
) -> IntakeRules:
    return IntakeRules.model_validate(
        {
            "welcome": {"text": "hi"},
            "allocation": {"tolerance": tolerance},
            "channels": {
                "live": {"name": "直播", "state": "ch_live", "staff": staff, "backup": backup or []}
            },
        }
    )


def play(rules: IntakeRules, adds: int, local: datetime = TUESDAY_10) -> tuple[Counter[str], int]:
    """``adds`` scans of the channel's code: (adds per member, code updates)."""
    channel: Channel = rules.channels["live"]
    counts: Counter[str] = Counter()
    credits: dict[str, float] = {}
    low, high = allocation.credit_bounds(rules.allocation.tolerance)
    listed = allocation.plan(
        rules, channel, adds_today=counts, credits=credits, listed=(), local_now=local
    ).users
    updates = 0
    for turn in range(adds):
        receiver = listed[turn % len(listed)]  # WeCom's choice among the listed users
        members = allocation.eligible(rules, channel, counts, local)
        for userid, delta in allocation.credit_changes(members, receiver).items():
            credits[userid] = min(high, max(low, credits.get(userid, 0.0) + delta))
        counts[receiver] += 1
        wanted = allocation.plan(
            rules, channel, adds_today=counts, credits=credits, listed=listed, local_now=local
        ).users
        if wanted != listed:
            listed, updates = wanted, updates + 1
    return counts, updates


def test_equal_weights_never_touch_the_code() -> None:
    counts, updates = play(rules([{"userid": "a"}, {"userid": "b"}, {"userid": "c"}]), 300)
    assert counts == {"a": 100, "b": 100, "c": 100}
    assert updates == 0


@pytest.mark.parametrize("tolerance", [1.0, 2.0, 5.0])
def test_weights_are_followed_within_the_tolerance(tolerance: float) -> None:
    staff: list[dict[str, Any]] = [{"userid": "a", "weight": 2}, {"userid": "b"}, {"userid": "c"}]
    counts, updates = play(rules(staff, tolerance=tolerance), 400)
    for userid, share in (("a", 0.5), ("b", 0.25), ("c", 0.25)):
        assert abs(counts[userid] - 400 * share) <= 2 * tolerance + 1
    assert updates <= 400 / tolerance  # not an update per add


def test_caps_off_duty_and_backup() -> None:
    staff = [
        {"userid": "a", "daily_cap": 50},
        {"userid": "b", "daily_cap": 30},
        {"userid": "c", "daily_cap": 20, "hours": ["mon-fri 14:00-18:00"]},  # off at 10:00
    ]
    counts, _ = play(rules(staff, backup=["boss"]), 100)
    assert counts == {"a": 50, "b": 30, "boss": 20}


def test_with_no_backup_the_whole_rotation_keeps_the_code() -> None:
    channel_rules = rules([{"userid": "a", "daily_cap": 1}, {"userid": "b", "daily_cap": 1}])
    found = allocation.plan(
        channel_rules,
        channel_rules.channels["live"],
        adds_today={"a": 1, "b": 1},
        credits={},
        listed=("a",),
        local_now=TUESDAY_10,
    )
    assert found == allocation.Plan(("a", "b"), "fallback")


def test_a_shift_change_changes_the_plan() -> None:
    shifts = [{"userid": "a", "hours": ["09:00-18:00"]}, {"userid": "b", "hours": ["18:00-02:00"]}]
    channel_rules = rules(shifts, backup=["night"])
    channel = channel_rules.channels["live"]

    def at(hour: int) -> tuple[str, ...]:
        return allocation.plan(
            channel_rules,
            channel,
            adds_today={},
            credits={},
            listed=(),
            local_now=TUESDAY_10.replace(hour=hour),
        ).users

    assert (at(10), at(19), at(1), at(5)) == (("a",), ("b",), ("b",), ("night",))


def test_an_add_outside_the_rotation_moves_no_credit() -> None:
    members = rules([{"userid": "a"}]).channels["live"].staff
    assert allocation.credit_changes(members, "backup") == {}
    assert allocation.credit_changes(members, "a") == {"a": 0.0}
