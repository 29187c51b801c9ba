"""Sensitive words: evasions, families, whole-word rules, the allowlist, jieba boundaries."""

from __future__ import annotations

import pytest

from nlp import Analyzer
from tests.nlp.conftest import excerpts


@pytest.mark.parametrize(
    ("text", "category", "excerpt"),
    [
        ("加我v.x详聊", "diversion", "加我v.x详聊"),
        ("ＶＸ同号", "diversion", "ＶＸ同号"),
        ("加 我 微 信", "diversion", "加 我 微 信"),
        ("加*我*威*信", "diversion", "加*我*威*信"),
        ("加我薇信吧", "diversion", "加我薇信"),
        ("加我V信", "diversion", "加我V信"),
        ("加我wei xin", "diversion", "加我wei xin"),
        ("加我weixin", "diversion", "加我weixin"),
        ("加我徽❤", "diversion", "加我徽❤"),
        ("微❤同号", "diversion", "微❤同号"),
        ("加我🅥🅧", "diversion", "加我🅥🅧"),
        ("有事加我威芯", "diversion", "加我威芯"),  # a sound-alike generated from pinyin
        ("+V详聊", "diversion", "+V详聊"),
        ("扣扣号多少", "diversion", "扣扣号多少"),
        ("私下轉賬給我", "diversion", "私下轉賬給我"),  # traditional characters
        ("转我zfb", "diversion", "转我zfb"),
        ("傻 逼", "abuse", "傻 逼"),
        ("傻傻傻逼", "abuse", "傻傻傻逼"),
        ("你个SB", "abuse", "SB"),
        ("全网最低价", "ad_law", "全网最低价"),
        ("NO.1品牌", "ad_law", "NO.1"),
        ("１００％有效", "ad_law", "１００％有效"),
        ("好.评.返.现", "fraud", "好.评.返.现"),
        ("刷单兼职日结", "fraud", "刷单兼职日结"),
    ],
)
def test_evasions_are_caught_and_the_excerpt_is_what_was_written(
    analyzer: Analyzer, text: str, category: str, excerpt: str
) -> None:
    assert (category, excerpt) in excerpts(analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        "vxd123",  # whole-word: vx inside an id
        "我用的是vxworks",
        "sbc板卡",
        "usb接口",
        "2b铅笔",
        "wxyz",
        "qqq",
    ],
)
def test_latin_keywords_only_match_whole_words(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).sensitive == ()


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [("vx123456", "vx"), ("sb!", "sb"), ("加我vx:abc", "加我vx"), ("v x 同号", "v x 同号")],
)
def test_latin_keywords_fire_at_a_boundary(analyzer: Analyzer, text: str, excerpt: str) -> None:
    assert any(e == excerpt for _, e in excerpts(analyzer, text))


@pytest.mark.parametrize(
    "text",
    [
        "我们做成人教育",
        "滚筒洗衣机还有吗",
        "垃圾袋用完了",
        "这个垃圾桶挺好用",
        "第一次在你们家买",
        "我第一时间就下单了",
        "第一步先注册",
        "去死皮效果好",
        "我妈的生日快到了",
        "生日你要来吗",
        "最优惠的是哪个",
        "最好今天能到",
        "我要退，订单号发你",  # a boundary: not 退订单号
    ],
)
def test_allowed_and_innocent_text_has_no_hit(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).sensitive == ()


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("你们的东西就是垃圾", True),  # jieba: 垃圾 is a word here
        ("垃圾，退钱", True),
        ("垃圾短信太多了", False),  # ...and part of a longer word here
        ("我们是第一", True),
        ("这是第一批货", False),
    ],
)
def test_two_character_words_need_whole_tokens(analyzer: Analyzer, text: str, hit: bool) -> None:
    assert bool(analyzer.analyze(text).sensitive) is hit


@pytest.mark.parametrize(
    "text",
    [
        "请勿私下转账",
        "不要相信刷单返利",
        "谨防刷单诈骗",
        "平台规定不能私下交易",
        "我们不承诺百分百有效",
    ],
)
def test_a_negated_warning_is_not_a_violation(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).sensitive == ()


def test_abuse_is_not_negatable(analyzer: Analyzer) -> None:
    assert analyzer.analyze("不要脸的傻逼").categories == {"abuse"}


def test_overlapping_hits_of_a_category_merge_into_one(analyzer: Analyzer) -> None:
    text = "加我微信号发你"
    hits = analyzer.analyze(text).sensitive
    assert len(hits) == 1
    assert text[hits[0].start : hits[0].end] == "加我微信号"


def test_hits_come_in_text_order_with_every_category(analyzer: Analyzer) -> None:
    text = "傻逼，全网最低价，好评返现，加我vx"
    result = analyzer.analyze(text)
    assert [h.category for h in result.sensitive] == ["abuse", "ad_law", "fraud", "diversion"]
    assert [h.start for h in result.sensitive] == sorted(h.start for h in result.sensitive)


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("好评率很高。红包活动明天开始", None),  # a sentence between the halves
        ("五星好评后联系客服领红包", "五星好评后联系客服领红包"),
        ("好评返现", "好评返现"),
        ("刷一波销量", "刷一波销量"),
    ],
)
def test_a_pair_entry_needs_both_halves_close_in_one_clause(
    analyzer: Analyzer, text: str, excerpt: str | None
) -> None:
    found = [e for c, e in excerpts(analyzer, text) if c == "fraud"]
    assert found == ([] if excerpt is None else [excerpt])


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("能根治吗", False),  # a customer asking claims nothing
        ("是不是全网最低价", False),
        ("我们的产品能根治", True),
        ("全网最低价？不可能吧", False),
        ("全网最低价，放心买", True),
    ],
)
def test_a_question_cancels_an_advertising_claim(analyzer: Analyzer, text: str, hit: bool) -> None:
    assert ("ad_law" in analyzer.analyze(text).categories) is hit


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("滚", True),
        ("烦死了，滚！", True),
        ("滚动条拉不动", False),
        ("滚筒", False),
        ("操作一下", False),
    ],
)
def test_a_clause_entry_must_stand_alone(analyzer: Analyzer, text: str, hit: bool) -> None:
    assert ("abuse" in analyzer.analyze(text).categories) is hit
