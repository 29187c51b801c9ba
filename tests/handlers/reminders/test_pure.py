"""Quiet hours, cards, commands, customer matching and rules: the pure parts."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.quiet_hours import QuietHours
from handlers.reminders import cards
from handlers.reminders.commands import CancelReminder, ListReminders, parse_command
from handlers.reminders.customers import Customer, match
from handlers.reminders.records import (
    Reminder,
    State,
    recurrence_from_json,
    recurrence_to_json,
    sources_of,
    to_ms,
)
from handlers.reminders.rules import load_rules
from nlp.timeparse import ParsedReminder, Recurrence, Rejection

TZ = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("moment", "release"),
    [
        (local(24, 23), local(25, 8)),
        (local(25, 3), local(25, 8)),
        (local(24, 21, 59), None),
        (local(25, 8), None),
        (local(24, 22), local(25, 8)),
    ],
)
def test_quiet_hours_hold_prompts_until_morning(moment: datetime, release: datetime | None) -> None:
    assert QuietHours.parse("22:00-08:00").release(moment) == release  # type: ignore[union-attr]


def test_no_quiet_hours() -> None:
    assert QuietHours.parse("") is None
    assert QuietHours.parse("00:00-00:00").release(local(24, 3)) is None  # type: ignore[union-attr]


def test_state_machine_allows_only_its_transitions() -> None:
    assert sources_of(State.DONE) == {State.SENT}
    assert sources_of(State.SENT) == {State.PENDING, State.SNOOZED}
    assert State.CANCELLED not in sources_of(State.SENT)


def test_single_and_digest_cards() -> None:
    one = Reminder(3, "zhangwei", "回访刘洋", to_ms(local(25, 15)), customer_name="刘洋")
    card = cards.prompt_card("siyu-r3-1", [one], TZ)
    assert card["card_type"] == "button_interaction"
    assert {"keyname": "到期", "value": "11月25日 15:00"} in card["horizontal_content_list"]
    many = [Reminder(i, "zhangwei", f"事项{i}", to_ms(local(25, 15))) for i in range(8)]
    digest = cards.prompt_card("siyu-r0-1", many, TZ)
    assert digest["main_title"]["title"] == "8 条提醒到期"
    assert len(digest["horizontal_content_list"]) == 6
    assert "另有 2 条" in digest["sub_title_text"]
    assert cards.replace_name("snooze", local(25, 16), TZ) == "已推迟到 11月25日 16:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的提醒", ListReminders()),
        ("提醒列表", ListReminders()),
        ("取消提醒 3", CancelReminder(3)),
        ("取消提醒#12", CancelReminder(12)),
        ("删除提醒 7", CancelReminder(7)),
    ],
)
def test_list_and_cancel_commands(text: str, expected: object) -> None:
    assert parse_command(text, local(24, 10), time(9), TZ) == expected


def test_cancel_without_a_number_asks_which() -> None:
    refused = parse_command("取消提醒", local(24, 10), time(9), TZ)
    assert isinstance(refused, Rejection) and "取消提醒 3" in refused.reason
    assert isinstance(parse_command("明天提醒我回访", local(24, 10), time(9), TZ), ParsedReminder)


def test_customer_matched_by_name_or_remark_and_ambiguity_reported() -> None:
    liu = Customer("wm1", "刘洋", "刘洋（ch_poster_a）")
    zhao = Customer("wm2", "赵敏", "王总")
    assert match("回访刘洋", [liu, zhao]).customer == liu
    assert match("跟进王总", [liu, zhao]).customer == zhao  # by remark
    assert match("回访张三", [liu, zhao]).customer is None
    twins = match("回访刘洋", [liu, Customer("wm3", "刘洋")])
    assert twins.customer is None and len(twins.candidates) == 2


def test_shipped_rules() -> None:
    book = load_rules()
    added = local(24, 18, 5)
    sop = book.sop_for("ch_poster_a")
    assert sop is not None and sop.name == "new_customer"
    assert [s.due(added) for s in sop.steps] == [
        local(24, 18, 35),
        local(25, 10),
        local(27, 10),
        datetime(2026, 12, 1, 10, tzinfo=TZ),
    ]
    assert book.sop_for("ch_live_b").name == "live"  # type: ignore[union-attr]
    assert book.silent.due(added) == datetime(2026, 12, 1, 10, tzinfo=TZ)
    assert book.win_back.due(added) == datetime(2026, 12, 24, 10, tzinfo=TZ)
    assert book.unanswered.due(local(24, 17, 50)) == local(25, 9, 20)  # carried overnight
    assert book.unanswered.due(local(24, 7)) == local(24, 9, 30)
    assert book.birthday_due(date(1990, 11, 26), local(24, 10)) == local(25, 9)
    assert book.group_deadline_due(local(26, 18)) == local(25, 18)


def test_a_weekday_set_survives_storage() -> None:
    """每周一三五 was stored as its first day only: the series came back as Mondays."""
    series = Recurrence("weekly", time(9), weekday=0, weekdays=(0, 2, 4))
    assert recurrence_from_json(recurrence_to_json(series)) == series


def test_a_recurrence_stored_before_weekday_sets_still_reads() -> None:
    stored = '{"kind": "weekly", "at": "09:00", "weekday": 4, "day": null}'
    assert recurrence_from_json(stored) == Recurrence("weekly", time(9), weekday=4)
