"""Whatever staff type, the parser answers: a future, aware due time or a short reason."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.timeparse import ERRORS, parse_request

TZ = ZoneInfo("Asia/Shanghai")
FRAGMENTS = [
    "提醒我",
    "记得",
    "明天",
    "后天",
    "大后天",
    "今天",
    "今晚",
    "下午",
    "晚上",
    "凌晨",
    "中午",
    "3点",
    "十点半",
    "三点一刻",
    "15:30",
    "03:30",
    "25点",
    "两个半小时后",
    "30分钟后",
    "过两天",
    "3个月后",
    "周五",
    "这周一",
    "下周三",
    "下下周",
    "上周五",
    "周末",
    "下个月",
    "月底",
    "25号",
    "31号",
    "2月30日",
    "12/25",
    "12.25",
    "2027-01-03",
    "每天",
    "每晚",
    "每周一三五",
    "每周二和周四",
    "每个工作日",
    "每月15号",
    "每月31号",
    "回访张三",
    "给李四发报价",
    "开会",
    "，",
    " ",
    "一点",
    "早一点",
    "9",
    "十",
    "两",
    "半",
    "号",
    "点",
    "周",
    "月",
    "天",
    "後天",
    "點",
    "１０点",
]
RRULE = re.compile(
    r"FREQ=(DAILY(;BYDAY=MO,TU,WE,TH,FR)?|WEEKLY;BYDAY=[A-Z,]+|MONTHLY;BYMONTHDAY=\d+)"
)
messages = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=7).map("".join)
moments = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis adds the zone
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(TZ),
)


@settings(max_examples=300, deadline=None)
@given(text=messages, now=moments)
def test_any_message_gets_a_future_due_or_a_short_reason(text: str, now: datetime) -> None:
    line = parse_request(text, now).as_json()
    assert set(line) == {"text", "due", "rrule", "task", "customer", "error"}
    if line["error"] is not None:
        assert line["error"] in ERRORS.values()
        assert line["due"] is None and line["rrule"] is None
        return
    assert line["due"] is not None and line["task"]
    due = datetime.fromisoformat(line["due"])
    assert due.utcoffset() == timedelta(hours=8)
    assert due > now - timedelta(seconds=1)  # the JSON drops microseconds
    assert line["rrule"] is None or RRULE.fullmatch(line["rrule"])
