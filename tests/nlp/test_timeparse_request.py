"""The request around the parse: known customers, the JSON line, time zones, series shapes."""

from __future__ import annotations

import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from nlp.timeparse import (
    ERRORS,
    NO_SUCH_DATE,
    NO_TIME,
    PAST,
    ParsedReminder,
    Recurrence,
    Rejection,
    parse_reminder,
    parse_request,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # a Tuesday
CUSTOMERS = ["张三", "张三丰", "李四", "周一鸣", "劉洋"]


@pytest.mark.parametrize(
    ("text", "customer"),
    [
        ("明天下午3点回访张三", "张三"),
        ("明天给张三丰打电话", "张三丰"),  # the longest name wins
        ("明天给李四和张三发资料", "李四"),  # equally long: the first written
        ("明天回訪張三", "张三"),  # traditional in the message
        ("明天给刘洋发报价", "劉洋"),  # traditional in the list: spelled as given
        ("明天回访王五", None),  # not a known customer
        ("明天提醒我写周报", None),
    ],
)
def test_customer_is_a_known_one_the_task_names(text: str, customer: str | None) -> None:
    assert parse_request(text, NOW, CUSTOMERS).customer == customer


def test_a_known_name_is_not_read_as_a_time() -> None:
    assert parse_request("明天回访周一鸣", NOW, CUSTOMERS).as_json() == {
        "text": "明天回访周一鸣",
        "due": "2026-11-25T09:00:00+08:00",
        "rrule": None,
        "task": "回访周一鸣",
        "customer": "周一鸣",
        "error": None,
    }


def test_a_refused_message_still_reports_its_task_and_customer() -> None:
    line = parse_request("提醒我回访张三", NOW, CUSTOMERS).as_json()
    assert (line["due"], line["task"], line["customer"], line["error"]) == (
        None,
        "回访张三",
        "张三",
        NO_TIME,
    )


def test_the_json_line_has_exactly_the_fields_tools_read() -> None:
    line = parse_request("每周五17点提醒我给李四发周报", NOW, CUSTOMERS).as_json()
    assert json.loads(json.dumps(line, ensure_ascii=False)) == {
        "text": "每周五17点提醒我给李四发周报",
        "due": "2026-11-27T17:00:00+08:00",
        "rrule": "FREQ=WEEKLY;BYDAY=FR",
        "task": "给李四发周报",
        "customer": "李四",
        "error": None,
    }


def test_chat_and_cli_share_one_outcome() -> None:
    request = parse_request("明天下午3点回访王五", NOW, CUSTOMERS)
    assert request.outcome == parse_reminder("明天下午3点回访王五", NOW, known_customers=CUSTOMERS)
    assert request.outcome == ParsedReminder(
        "回访王五", datetime(2026, 11, 25, 15, 0, tzinfo=TZ), None, "王五"
    )  # the hint still names 王五 for the WeCom lookup
    known = parse_reminder("明天下午3点回访张三丰", NOW, known_customers=CUSTOMERS)
    assert isinstance(known, ParsedReminder) and known.customer_hint == "张三丰"


def test_a_naive_now_is_read_in_the_time_zone() -> None:
    naive = datetime(2026, 11, 24, 10, 0)  # noqa: DTZ001 - the point of the test
    line = parse_request("30分钟后提醒我喝水", naive).as_json()
    assert line["due"] == "2026-11-24T10:30:00+08:00"


def test_another_time_zone_counts_hours_in_elapsed_time() -> None:
    new_york = ZoneInfo("America/New_York")
    before_dst = datetime(2027, 3, 14, 1, 30, tzinfo=new_york)  # clocks go 2:00 → 3:00
    assert parse_request("1小时后提醒我喝水", before_dst, tz=new_york).as_json()["due"] == (
        "2027-03-14T03:30:00-04:00"
    )
    assert parse_request("明天上午9点提醒我开会", before_dst, tz=new_york).as_json()["due"] == (
        "2027-03-15T09:00:00-04:00"
    )


def test_default_time_is_configurable() -> None:
    line = parse_request("明天提醒我回访", NOW, default_time=time(10, 30)).as_json()
    assert line["due"] == "2026-11-25T10:30:00+08:00"


def test_every_rejection_code_has_a_short_reason() -> None:
    assert ERRORS["no_time"] == NO_TIME
    assert ERRORS["past"] == PAST
    assert ERRORS["no_date"] == NO_SUCH_DATE
    assert Rejection("no_date", "2月没有30号").error == "日期不存在"
    assert all(0 < len(reason) <= 8 for reason in ERRORS.values())


@pytest.mark.parametrize(
    ("recurrence", "rrule", "described"),
    [
        (Recurrence("daily", time(9)), "FREQ=DAILY", "每天 09:00"),
        (Recurrence("workdays", time(9)), "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "每个工作日 09:00"),
        (Recurrence("weekly", time(17), weekday=4), "FREQ=WEEKLY;BYDAY=FR", "每周五 17:00"),
        (
            Recurrence("weekly", time(10), weekdays=(4, 0, 2)),
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "每周一、三、五 10:00",
        ),
        (Recurrence("monthly", time(10), day=15), "FREQ=MONTHLY;BYMONTHDAY=15", "每月15号 10:00"),
    ],
)
def test_series_as_a_rule_and_in_words(recurrence: Recurrence, rrule: str, described: str) -> None:
    assert (recurrence.rrule, recurrence.describe()) == (rrule, described)


def test_a_single_weekday_reads_the_same_either_way() -> None:
    stored = Recurrence("weekly", time(9), 0, None)  # as records.py rebuilds it
    assert stored == Recurrence("weekly", time(9), weekdays=(0,))
    assert (stored.weekday, stored.weekdays) == (0, (0,))
    several = Recurrence("weekly", time(9), weekdays=(2, 4))
    assert several.weekday == 2  # the first, for readers that know one weekday only
