"""What staff write, and the JSON line ``siyu reminders parse`` answers, at four fixed moments.

Every expected value was worked out by hand from a calendar (and, for the holiday week, from
the State Council's 2026 notice as chinesecalendar 1.11 holds it: 中秋 09-25..27, 国庆
10-01..07, make-up workdays Sunday 09-20 and Saturday 10-10), not by running the parser.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cli import build_parser
from bot.cli.reminder_parse import run_parse
from nlp.timeparse import parse_request

TZ = ZoneInfo("Asia/Shanghai")
NOWS = {
    "tue": datetime(2026, 11, 24, 10, 0, tzinfo=TZ),  # an ordinary Tuesday morning
    "month_end": datetime(2027, 1, 31, 22, 0, tzinfo=TZ),  # a Sunday night, last of the month
    "year_end": datetime(2026, 12, 31, 23, 30, tzinfo=TZ),  # a Thursday, half an hour to 2027
    "holiday": datetime(2026, 9, 30, 10, 0, tzinfo=TZ),  # Wednesday before National Day
}
DAILY = "FREQ=DAILY"
WORKDAYS = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
PAST, NO_DATE, NO_TIME = "时间已经过去", "日期不存在", "没有找到时间"

# (now, message, due (local, minutes unless seconds are given), rrule, task, error)
TABLE = [
    # relative times, every unit and spelling
    ("tue", "10分钟后提醒我关火", "2026-11-24T10:10", None, "关火", None),
    ("tue", "二十五分钟后提醒我给李四回电话", "2026-11-24T10:25", None, "给李四回电话", None),
    ("tue", "两个小时后提醒我回电话", "2026-11-24T12:00", None, "回电话", None),
    ("tue", "一个半小时后提醒我喝水", "2026-11-24T11:30", None, "喝水", None),
    ("tue", "半小时后提醒我看邮件", "2026-11-24T10:30", None, "看邮件", None),
    ("tue", "1小时30分钟后提醒我出发", "2026-11-24T11:30", None, "出发", None),
    ("tue", "一个小时二十分钟以后提醒我开会", "2026-11-24T11:20", None, "开会", None),
    ("tue", "三刻钟后提醒我下楼", "2026-11-24T10:45", None, "下楼", None),
    ("tue", "两个半钟头后提醒我接孩子", "2026-11-24T12:30", None, "接孩子", None),
    ("tue", "90秒后提醒我看锅", "2026-11-24T10:01:30", None, "看锅", None),
    ("tue", "过两天提醒我回访王芳", "2026-11-26T10:00", None, "回访王芳", None),
    ("tue", "十一天后提醒我续约", "2026-12-05T10:00", None, "续约", None),
    ("tue", "两周后提醒我续费", "2026-12-08T10:00", None, "续费", None),
    ("tue", "3个月后提醒我复查", "2027-02-24T10:00", None, "复查", None),
    ("tue", "3天后上午10点提醒我复盘", "2026-11-27T10:00", None, "复盘", None),
    ("tue", "两天半后提醒我开会", "2026-11-26T22:00", None, "开会", None),
    ("tue", "一年半后提醒我体检", "2028-05-24T10:00", None, "体检", None),
    # named days and parts of the day
    ("tue", "明天提醒我回访张三", "2026-11-25T09:00", None, "回访张三", None),
    ("tue", "后天下午提醒我交报告", "2026-11-26T15:00", None, "交报告", None),
    ("tue", "大后天晚上8点提醒我直播", "2026-11-27T20:00", None, "直播", None),
    ("tue", "今天晚上7点半提醒我回访周杰", "2026-11-24T19:30", None, "回访周杰", None),
    ("tue", "明早提醒我开晨会", "2026-11-25T08:00", None, "开晨会", None),
    ("tue", "今晚提醒我给刘洋发资料", "2026-11-24T20:00", None, "给刘洋发资料", None),
    ("tue", "明天早上提醒我买早餐", "2026-11-25T08:00", None, "买早餐", None),
    ("tue", "明天上午提醒我交材料", "2026-11-25T09:00", None, "交材料", None),
    ("tue", "明天中午提醒我订餐", "2026-11-25T12:00", None, "订餐", None),
    ("tue", "明天傍晚提醒我遛狗", "2026-11-25T18:00", None, "遛狗", None),
    # clock times
    ("tue", "下午3点提醒我回访张三", "2026-11-24T15:00", None, "回访张三", None),
    ("tue", "晚上8点提醒我写日报", "2026-11-24T20:00", None, "写日报", None),
    ("tue", "晚8点提醒我直播", "2026-11-24T20:00", None, "直播", None),
    ("tue", "15点30提醒我开周会", "2026-11-24T15:30", None, "开周会", None),
    ("tue", "3点半提醒我签合同", "2026-11-24T15:30", None, "签合同", None),
    ("tue", "3:30提醒我签合同", "2026-11-24T15:30", None, "签合同", None),
    ("tue", "三点一刻提醒我打电话", "2026-11-24T15:15", None, "打电话", None),
    ("tue", "十五时提醒我开会", "2026-11-24T15:00", None, "开会", None),
    ("tue", "十点过五分提醒我喝水", "2026-11-24T10:05", None, "喝水", None),
    ("tue", "下午2.30提醒我开会", "2026-11-24T14:30", None, "开会", None),
    ("tue", "１１点半提醒我开会", "2026-11-24T11:30", None, "开会", None),  # full-width
    ("tue", "提醒我一点开会", "2026-11-24T13:00", None, "开会", None),
    ("tue", "9点提醒我开会", "2026-11-25T09:00", None, "开会", None),  # passed: tomorrow
    ("tue", "03:30提醒我看球", "2026-11-25T03:30", None, "看球", None),
    ("tue", "晚上12点提醒我睡觉", "2026-11-25T00:00", None, "睡觉", None),
    ("tue", "提醒我明天早一点到公司", "2026-11-25T09:00", None, "早一点到公司", None),
    # weekdays and weeks
    ("tue", "周五提醒我发周报", "2026-11-27T09:00", None, "发周报", None),
    ("tue", "礼拜三提醒我交报表", "2026-11-25T09:00", None, "交报表", None),
    ("tue", "星期天上午10点提醒我约孙静吃饭", "2026-11-29T10:00", None, "约孙静吃饭", None),
    ("tue", "周三十点提醒我开会", "2026-11-25T10:00", None, "开会", None),
    ("tue", "周五5点提醒我写周报", "2026-11-27T17:00", None, "写周报", None),
    ("tue", "周二上午9点提醒我开例会", "2026-12-01T09:00", None, "开例会", None),
    ("tue", "这周五下午4点提醒我发周报", "2026-11-27T16:00", None, "发周报", None),
    ("tue", "下周五提醒我对账", "2026-12-04T09:00", None, "对账", None),
    ("tue", "下个星期一上午提醒我开例会", "2026-11-30T09:00", None, "开例会", None),
    ("tue", "下下周二提醒我交季度报告", "2026-12-08T09:00", None, "交季度报告", None),
    ("tue", "下周提醒我跟进合同", "2026-11-30T09:00", None, "跟进合同", None),
    ("tue", "下下周提醒我复盘", "2026-12-07T09:00", None, "复盘", None),
    ("tue", "周末提醒我大扫除", "2026-11-28T09:00", None, "大扫除", None),
    ("tue", "周五之前提醒我交报告", "2026-11-27T09:00", None, "交报告", None),
    # months and dates
    ("tue", "下个月提醒我交社保", "2026-12-01T09:00", None, "交社保", None),
    ("tue", "下个月5号提醒我交房租", "2026-12-05T09:00", None, "交房租", None),
    ("tue", "月底提醒我对账", "2026-11-30T09:00", None, "对账", None),
    ("tue", "25号提醒我交房租", "2026-11-25T09:00", None, "交房租", None),
    ("tue", "3号上午提醒我报销", "2026-12-03T09:00", None, "报销", None),
    ("tue", "12月25日提醒我买礼物", "2026-12-25T09:00", None, "买礼物", None),
    ("tue", "十二月二十五号晚上提醒我聚餐", "2026-12-25T20:00", None, "聚餐", None),
    ("tue", "12/25提醒我送贺卡", "2026-12-25T09:00", None, "送贺卡", None),
    ("tue", "12-25提醒我送贺卡", "2026-12-25T09:00", None, "送贺卡", None),
    ("tue", "12.25提醒我送贺卡", "2026-12-25T09:00", None, "送贺卡", None),
    ("tue", "2027-01-03提醒我续签", "2027-01-03T09:00", None, "续签", None),
    ("tue", "2027年3月1日下午2点提醒我续签", "2027-03-01T14:00", None, "续签", None),
    ("tue", "1月5日提醒我年会", "2027-01-05T09:00", None, "年会", None),
    ("tue", "11月20日提醒我回访", "2027-11-20T09:00", None, "回访", None),
    ("tue", "明年3月1日提醒我体检", "2027-03-01T09:00", None, "体检", None),
    # spellings: traditional characters, spaces, command words anywhere
    ("tue", "提醒我明天下午三點回訪", "2026-11-25T15:00", None, "回访", None),
    ("tue", "禮拜五下午兩點提醒我開會", "2026-11-27T14:00", None, "开会", None),
    ("tue", "明天 下午 3 点 提醒我 回访 张三", "2026-11-25T15:00", None, "回访张三", None),
    ("tue", "记得明天给王芳送样品", "2026-11-25T09:00", None, "给王芳送样品", None),
    ("tue", "提醒我回访张三，明天下午三点", "2026-11-25T15:00", None, "回访张三", None),
    ("tue", "请在明天上午10点提醒我给客户打电话", "2026-11-25T10:00", None, "给客户打电话", None),
    ("tue", "明天下午3点要开会", "2026-11-25T15:00", None, "开会", None),
    # series
    ("tue", "每天早上9点提醒我打卡", "2026-11-25T09:00", DAILY, "打卡", None),
    ("tue", "每天下午6点提醒我写日报", "2026-11-24T18:00", DAILY, "写日报", None),
    ("tue", "每晚9点提醒我看数据", "2026-11-24T21:00", DAILY, "看数据", None),
    ("tue", "每天提醒我喝水", "2026-11-25T09:00", DAILY, "喝水", None),
    ("tue", "每周五17点提醒我写周报", "2026-11-27T17:00", "FREQ=WEEKLY;BYDAY=FR", "写周报", None),
    (
        "tue",
        "每周一三五上午10点提醒我开会",
        "2026-11-25T10:00",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "开会",
        None,
    ),
    (
        "tue",
        "每周二和周四下午提醒我跟进",
        "2026-11-24T15:00",
        "FREQ=WEEKLY;BYDAY=TU,TH",
        "跟进",
        None,
    ),
    (
        "tue",
        "每周一到周三提醒我站会",
        "2026-11-25T09:00",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE",
        "站会",
        None,
    ),
    (
        "tue",
        "每周日晚上提醒我写周计划",
        "2026-11-29T20:00",
        "FREQ=WEEKLY;BYDAY=SU",
        "写周计划",
        None,
    ),
    (
        "tue",
        "每周五到周一提醒我值班",
        "2026-11-27T09:00",
        "FREQ=WEEKLY;BYDAY=MO,FR,SA,SU",
        "值班",
        None,
    ),
    ("tue", "每个工作日早上9点提醒我看数据", "2026-11-25T09:00", WORKDAYS, "看数据", None),
    (
        "tue",
        "每月15号提醒我交报表",
        "2026-12-15T09:00",
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "交报表",
        None,
    ),
    (
        "tue",
        "每个月一号上午10点提醒我对账",
        "2026-12-01T10:00",
        "FREQ=MONTHLY;BYMONTHDAY=1",
        "对账",
        None,
    ),
    # refusals
    ("tue", "提醒我回访张三", None, None, "回访张三", NO_TIME),
    ("tue", "明天下午3点提醒我", None, None, None, "没有提醒内容"),
    ("tue", "2月30日提醒我回访", None, None, "回访", NO_DATE),
    ("tue", "13月5日提醒我回访", None, None, "回访", NO_DATE),
    ("tue", "每月31号提醒我交报表", None, None, "交报表", NO_DATE),
    ("tue", "提醒我25点开会", None, None, "开会", "时间不存在"),
    ("tue", "凌晨提醒我看球", None, None, "看球", "时间不明确"),
    ("tue", "上周五提醒我回访", None, None, "回访", PAST),
    ("tue", "今天早上8点提醒我开会", None, None, "开会", PAST),
    ("tue", "这周一提醒我开会", None, None, "开会", PAST),
    ("tue", "本月20号提醒我交报告", None, None, "交报告", PAST),
    ("tue", "2026-11-20提醒我回访", None, None, "回访", PAST),
    ("tue", "99999999天后提醒我开会", None, None, "开会", NO_DATE),  # off the calendar
    # the last night of January 2027 (a Sunday)
    ("month_end", "明天提醒我交月报", "2027-02-01T09:00", None, "交月报", None),
    ("month_end", "30分钟后提醒我关电脑", "2027-01-31T22:30", None, "关电脑", None),
    ("month_end", "3小时后提醒我吃药", "2027-02-01T01:00", None, "吃药", None),
    ("month_end", "一周后提醒我复查", "2027-02-07T22:00", None, "复查", None),
    ("month_end", "1个月后提醒我续费", "2027-02-28T22:00", None, "续费", None),  # no 2月31日
    ("month_end", "下个月提醒我交社保", "2027-02-01T09:00", None, "交社保", None),
    ("month_end", "下个月底提醒我对账", "2027-02-28T09:00", None, "对账", None),
    ("month_end", "15号提醒我交房租", "2027-02-15T09:00", None, "交房租", None),
    ("month_end", "下周一提醒我开会", "2027-02-01T09:00", None, "开会", None),
    ("month_end", "周一提醒我开会", "2027-02-01T09:00", None, "开会", None),
    ("month_end", "9点提醒我晨会", "2027-02-01T09:00", None, "晨会", None),
    ("month_end", "晚上11点提醒我关灯", "2027-01-31T23:00", None, "关灯", None),
    (
        "month_end",
        "每月1号提醒我交报表",
        "2027-02-01T09:00",
        "FREQ=MONTHLY;BYMONTHDAY=1",
        "交报表",
        None,
    ),
    ("month_end", "月底提醒我对账", None, None, "对账", PAST),  # today, and 09:00 has passed
    ("month_end", "30号提醒我交房租", None, None, "交房租", NO_DATE),  # 2月30日
    ("month_end", "2月29日提醒我回访", None, None, "回访", NO_DATE),  # 2027 is no leap year
    ("month_end", "这周六提醒我加班", None, None, "加班", PAST),
    ("month_end", "今天下午3点提醒我回访", None, None, "回访", PAST),
    # New Year's Eve 2026, 23:30
    ("year_end", "明天上午10点提醒我拜年", "2027-01-01T10:00", None, "拜年", None),
    ("year_end", "10分钟后提醒我倒数", "2026-12-31T23:40", None, "倒数", None),
    ("year_end", "一个小时后提醒我睡觉", "2027-01-01T00:30", None, "睡觉", None),
    ("year_end", "晚上12点提醒我放烟花", "2027-01-01T00:00", None, "放烟花", None),
    ("year_end", "8点提醒我晨跑", "2027-01-01T08:00", None, "晨跑", None),
    ("year_end", "后天提醒我回访", "2027-01-02T09:00", None, "回访", None),
    ("year_end", "1月5日提醒我年会", "2027-01-05T09:00", None, "年会", None),
    ("year_end", "12月30日提醒我对账", "2027-12-30T09:00", None, "对账", None),
    ("year_end", "下周一提醒我开会", "2027-01-04T09:00", None, "开会", None),
    ("year_end", "下个月提醒我交社保", "2027-01-01T09:00", None, "交社保", None),
    ("year_end", "25号提醒我交房租", "2027-01-25T09:00", None, "交房租", None),
    ("year_end", "每天晚上11点提醒我写日记", "2027-01-01T23:00", DAILY, "写日记", None),
    (
        "year_end",
        "每月15号提醒我交报表",
        "2027-01-15T09:00",
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "交报表",
        None,
    ),
    ("year_end", "每周五提醒我写周报", "2027-01-01T09:00", "FREQ=WEEKLY;BYDAY=FR", "写周报", None),
    ("year_end", "12月31日提醒我跨年", None, None, "跨年", PAST),
    ("year_end", "2026年12月25日提醒我回访", None, None, "回访", PAST),
    # the day before National Day 2026
    ("holiday", "每个工作日早上9点提醒我看数据", "2026-10-08T09:00", WORKDAYS, "看数据", None),
    ("holiday", "每个工作日下午5点提醒我写日报", "2026-09-30T17:00", WORKDAYS, "写日报", None),
    ("holiday", "工作日每天上午10点半提醒我站会", "2026-09-30T10:30", WORKDAYS, "站会", None),
    ("holiday", "每周一到周五提醒我打卡", "2026-10-08T09:00", WORKDAYS, "打卡", None),
    ("holiday", "每周五提醒我写周报", "2026-10-02T09:00", "FREQ=WEEKLY;BYDAY=FR", "写周报", None),
    ("holiday", "明天提醒我发节日祝福", "2026-10-01T09:00", None, "发节日祝福", None),
    ("holiday", "下周一提醒我开会", "2026-10-05T09:00", None, "开会", None),
    ("holiday", "十一天后提醒我回访", "2026-10-11T10:00", None, "回访", None),
    ("holiday", "10月8日上午提醒我开会", "2026-10-08T09:00", None, "开会", None),
    ("holiday", "10.10提醒我加班", "2026-10-10T09:00", None, "加班", None),
]


def _iso(local: str | None) -> str | None:
    """2026-11-24T10:10 → 2026-11-24T10:10:00+08:00."""
    if local is None:
        return None
    return f"{local}:00+08:00" if len(local) == len("2026-11-24T10:10") else f"{local}+08:00"


@pytest.mark.parametrize(("now", "text", "due", "rrule", "task", "error"), TABLE)
def test_message_means_this_reminder(
    now: str, text: str, due: str | None, rrule: str | None, task: str | None, error: str | None
) -> None:
    assert parse_request(text, NOWS[now]).as_json() == {
        "text": text,
        "due": _iso(due),
        "rrule": rrule,
        "task": task,
        "customer": None,
        "error": error,
    }


def test_the_table_is_large_and_has_no_duplicates() -> None:
    assert len(TABLE) >= 80
    assert len({(now, text) for now, text, *_ in TABLE}) == len(TABLE)


@pytest.mark.parametrize("now", sorted(NOWS))
def test_siyu_reminders_parse_answers_the_table_line_by_line(now: str) -> None:
    """The same table through the command staff's lines go through: one JSON line per line."""
    rows = [row for row in TABLE if row[0] == now]
    assert len(rows) >= 10  # every moment has its share of the table
    args = build_parser().parse_args(["reminders", "parse", "--now", NOWS[now].isoformat()])
    out = io.StringIO()
    status = run_parse(args, io.StringIO("".join(f"{row[1]}\n" for row in rows)), out)
    assert status == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert answers == [
        {
            "text": text,
            "due": _iso(due),
            "rrule": rrule,
            "task": task,
            "customer": None,
            "error": error,
        }
        for _, text, due, rrule, task, error in rows
    ]
