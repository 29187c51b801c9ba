"""The reminder command table: phrasings with the due time they mean, and the ones refused."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from nlp.timeparse import (
    ParsedReminder,
    Recurrence,
    Rejection,
    cn_number,
    format_due,
    parse_reminder,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # a Tuesday, 10:00 in Shanghai


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


TABLE = [
    # (command, task, due)
    ("提醒我明天下午3点回访张三", "回访张三", at(11, 25, 15)),
    ("30分钟后提醒我给李四发报价", "给李四发报价", at(11, 24, 10, 30)),
    ("下周一上午提醒我跟进王总", "跟进王总", at(11, 30, 9)),
    ("提醒我十点半开会", "开会", at(11, 24, 10, 30)),
    ("提醒我明天三点一刻打电话给刘洋确认订单", "打电话给刘洋确认订单", at(11, 25, 15, 15)),
    ("一个半小时后提醒我喝水", "喝水", at(11, 24, 11, 30)),
    ("半小时后提醒我看邮件", "看邮件", at(11, 24, 10, 30)),
    ("两小时后提醒我回电话", "回电话", at(11, 24, 12)),
    ("1.5小时后提醒我出发", "出发", at(11, 24, 11, 30)),
    ("一刻钟后提醒我下楼", "下楼", at(11, 24, 10, 15)),
    ("过10分钟提醒我关火", "关火", at(11, 24, 10, 10)),
    ("提醒我45分钟以后开会", "开会", at(11, 24, 10, 45)),
    ("三天后提醒我回访赵敏", "回访赵敏", at(11, 27, 10)),
    ("3天后上午10点提醒我复盘", "复盘", at(11, 27, 10)),
    ("两周后提醒我续费", "续费", at(12, 8, 10)),
    ("明天提醒我回访张三", "回访张三", at(11, 25, 9)),
    ("后天上午十点提醒我交报告", "交报告", at(11, 26, 10)),
    ("大后天晚上8点提醒我直播", "直播", at(11, 27, 20)),
    ("今晚8点提醒我给刘洋发资料", "给刘洋发资料", at(11, 24, 20)),
    ("明早8点提醒我开晨会", "开晨会", at(11, 25, 8)),
    ("明晚九点提醒我写总结", "写总结", at(11, 25, 21)),
    ("下午3点提醒我回访张三", "回访张三", at(11, 24, 15)),
    ("提醒我3点回访张三", "回访张三", at(11, 24, 15)),
    ("提醒我15:30开周会", "开周会", at(11, 24, 15, 30)),
    ("提醒我下午两点五十分签合同", "签合同", at(11, 24, 14, 50)),
    ("中午提醒我订餐", "订餐", at(11, 24, 12)),
    ("中午1点提醒我吃药", "吃药", at(11, 24, 13)),
    ("晚上12点提醒我睡觉", "睡觉", at(11, 25, 0)),
    ("今天晚上7点半提醒我回访周杰", "回访周杰", at(11, 24, 19, 30)),
    ("提醒我11点整拨打电话", "拨打电话", at(11, 24, 11)),
    ("周五下午提醒我跟进王总", "跟进王总", at(11, 27, 15)),  # 下午 alone: 15:00
    ("星期五下午4点提醒我发周报", "发周报", at(11, 27, 16)),
    ("礼拜天上午10点提醒我约孙静吃饭", "约孙静吃饭", at(11, 29, 10)),
    ("周二上午9点提醒我开例会", "开例会", at(12, 1, 9)),  # today's 9:00 is past: next Tuesday
    ("这周四下午三点提醒我盘点", "盘点", at(11, 26, 15)),
    ("本周六提醒我加班", "加班", at(11, 28, 9)),
    ("下周三下午提醒我回访客户", "回访客户", at(12, 2, 15)),
    ("下下周一提醒我交季度报告", "交季度报告", at(12, 7, 9)),
    ("下周提醒我跟进合同", "跟进合同", at(11, 30, 9)),
    ("11月25日15:00提醒我回访张三", "回访张三", at(11, 25, 15)),
    ("12月1日下午3点提醒我对账", "对账", at(12, 1, 15)),
    ("十二月三十一号晚上十点提醒我跨年", "跨年", at(12, 31, 22)),
    ("25号提醒我交房租", "交房租", at(11, 25, 9)),
    ("3号上午提醒我报销", "报销", at(12, 3, 9)),  # the 3rd has passed this month
    ("1月5日提醒我年会", "年会", at(1, 5, 9, year=2027)),
    ("2027年3月1日提醒我续签", "续签", at(3, 1, 9, year=2027)),
    ("12/24 晚上8点提醒我准备礼物", "准备礼物", at(12, 24, 20)),
    ("请提醒我明天下午3点回访张三", "回访张三", at(11, 25, 15)),
    ("记得提醒我明天给王芳送样品", "给王芳送样品", at(11, 25, 9)),
    ("明天下午3点 提醒我 回访 张三", "回访张三", at(11, 25, 15)),
    ("提醒我回访张三，明天下午三点", "回访张三", at(11, 25, 15)),
    ("明天下午３点提醒我回访", "回访", at(11, 25, 15)),  # full-width digits (NFKC)
    ("提醒我9点开会", "开会", at(11, 25, 9)),  # 9:00 has passed today: tomorrow's
    ("上午9点提醒我开会", "开会", at(11, 25, 9)),
    ("11月20日提醒我回访", "回访", at(11, 20, 9, year=2027)),  # passed this year: next year's
]

RECURRING = [
    ("每周五17点提醒我写周报", "写周报", at(11, 27, 17), Recurrence("weekly", time(17), weekday=4)),
    ("每天早上9点提醒我打卡", "打卡", at(11, 25, 9), Recurrence("daily", time(9))),
    ("每天下午6点提醒我写日报", "写日报", at(11, 24, 18), Recurrence("daily", time(18))),
    ("每个工作日早上9点提醒我看数据", "看数据", at(11, 25, 9), Recurrence("workdays", time(9))),
    ("每月1号上午10点提醒我对账", "对账", at(12, 1, 10), Recurrence("monthly", time(10), day=1)),
    ("每周一提醒我开周会", "开周会", at(11, 30, 9), Recurrence("weekly", time(9), weekday=0)),
    (
        "每星期二下午提醒我回访老客户",
        "回访老客户",
        at(11, 24, 15),
        Recurrence("weekly", time(15), weekday=1),
    ),
]

REJECTED = [
    ("提醒我回访张三", "no_time", "什么时候"),
    ("明天下午3点提醒我", "no_task", "做什么"),
    ("提醒我", "no_task", "做什么"),
    ("今天早上8点提醒我开会", "past", "已经过"),
    ("2026年11月20日提醒我回访", "past", "已经过去"),
    ("上周五提醒我回访", "past", "上周"),
    ("2月30日提醒我回访", "no_date", "没有"),
    ("提醒我25点开会", "invalid", "没有"),
    ("每月31号提醒我交报表", "no_date", "28"),
    ("凌晨提醒我看球", "ambiguous", "几点"),
    ("提醒我asdfgh", "no_time", "例如"),
    ("提醒我呵呵", "no_time", "什么时候"),
    ("今天天气真好，提醒我", "past", "已经过去"),  # 今天 at the default 09:00: past
]


@pytest.mark.parametrize(("command", "task", "due"), TABLE)
def test_one_off_command_means_this_due_time(command: str, task: str, due: datetime) -> None:
    parsed = parse_reminder(command, NOW)
    assert isinstance(parsed, ParsedReminder), parsed
    assert (parsed.task, parsed.due, parsed.recurrence) == (task, due, None)


@pytest.mark.parametrize(("command", "task", "due", "recurrence"), RECURRING)
def test_recurring_command_means_this_series(
    command: str, task: str, due: datetime, recurrence: Recurrence
) -> None:
    parsed = parse_reminder(command, NOW)
    assert isinstance(parsed, ParsedReminder)
    assert (parsed.task, parsed.due, parsed.recurrence) == (task, due, recurrence)


@pytest.mark.parametrize(("command", "code", "hint"), REJECTED)
def test_command_is_refused_with_a_helpful_reason(command: str, code: str, hint: str) -> None:
    refused = parse_reminder(command, NOW)
    assert isinstance(refused, Rejection), refused
    assert refused.code == code
    assert hint in refused.reason


@pytest.mark.parametrize(
    ("command", "customer"),
    [
        ("提醒我明天下午3点回访张三", "张三"),
        ("30分钟后提醒我给李四发报价", "李四"),
        ("下周一上午提醒我跟进王总", "王总"),
        ("明天提醒我打电话给刘洋确认订单", "刘洋"),
        ("每周五17点提醒我写周报", None),
    ],
)
def test_customer_named_in_the_task_is_hinted(command: str, customer: str | None) -> None:
    parsed = parse_reminder(command, NOW)
    assert isinstance(parsed, ParsedReminder)
    assert parsed.customer_hint == customer


def test_now_in_another_zone_is_read_in_shanghai() -> None:
    utc_now = NOW.astimezone(ZoneInfo("UTC"))
    assert parse_reminder("明天下午3点提醒我回访", utc_now) == ParsedReminder(
        "回访", at(11, 25, 15)
    )


def test_default_time_is_configurable() -> None:
    parsed = parse_reminder("明天提醒我回访", NOW, default_time=time(10, 30))
    assert isinstance(parsed, ParsedReminder)
    assert parsed.due == at(11, 25, 10, 30)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("15", 15),
        ("1.5", 1.5),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("三十一", 31),
        ("两", 2),
        ("零五", 5),
        ("四十五", 45),
    ],
)
def test_chinese_numerals(text: str, value: float) -> None:
    assert cn_number(text) == value


def test_recurrence_next_after_skips_weekends_for_workdays() -> None:
    friday_evening = at(11, 27, 19)
    assert Recurrence("workdays", time(9)).next_after(friday_evening) == at(11, 30, 9)


def test_format_due_reads_like_the_confirmation() -> None:
    assert format_due(at(11, 25, 15)) == "11月25日 15:00"
    assert Recurrence("weekly", time(17), weekday=4).describe() == "每周五 17:00"
