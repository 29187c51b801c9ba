"""Intents: cue weights, negation, questions, and the classifier Protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import Analyzer, Intent, Normalized, Segmenter


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("这个多少钱呀", "price"),
        ("请问价格多少？", "price"),
        ("太贵了，能便宜点吗", "price"),
        ("我想买两盒", "purchase"),
        ("怎么下单", "purchase"),
        ("我要投诉你们", "complaint"),
        ("东西收到就坏了", "complaint"),
        ("别再给我发广告了", "unsubscribe"),
        ("退订", "unsubscribe"),
        ("TD", "unsubscribe"),
        ("转人工", "human"),
        ("你是机器人吗", "human"),
        ("我想预约明天下午", "appointment"),
        ("师傅什么时候上门", "appointment"),
    ],
)
def test_intents(analyzer: Analyzer, text: str, intent: str) -> None:
    result = analyzer.analyze(text)
    assert result.intent == intent
    assert 0 < result.score < 1


@pytest.mark.parametrize(
    "text",
    [
        "不贵",  # not a price complaint
        "这个不太贵",
        "不想买了",
        "我不打算买",
        "没有投诉的意思",
        "价格还可以，不算贵",
        "滚筒洗衣机还有吗",
        "商品价格以小程序显示为准",  # a statement about price, not a question
        "你们的人工智能产品",  # jieba: 人工 is part of 人工智能
        "好的谢谢",
        "",
    ],
)
def test_no_intent(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert (result.intent, result.score) == (None, 0.0)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我不知道多少钱", "price"),  # 不 negates 知道, not 多少钱
        ("能不能便宜点", "price"),  # 能不能 asks, it does not negate
        ("能不能换个客服", "human"),
        ("别再发了", "unsubscribe"),  # the cue carries its own negation
    ],
)
def test_negation_is_scoped(analyzer: Analyzer, text: str, intent: str) -> None:
    assert analyzer.analyze(text).intent == intent


def test_ties_go_to_the_earlier_intent(analyzer: Analyzer) -> None:
    assert analyzer.analyze("投诉，转人工").intent == "complaint"


class _Always:
    """A stand-in trained model: proves any IntentClassifier plugs in."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def classify(self, text: Normalized) -> Intent | None:
        self.seen.append(text.original)
        return Intent("purchase", 0.42)


def test_a_trained_classifier_can_replace_the_rules(segmenter: Segmenter, lists_dir: Path) -> None:
    model = _Always()
    analyzer = Analyzer(lists_dir, segmenter=segmenter, classifier=model)
    result = analyzer.analyze("随便说点什么")
    assert (result.intent, result.score) == ("purchase", 0.42)
    assert model.seen == ["随便说点什么"]


def test_the_longest_overlapping_cue_speaks(analyzer: Analyzer) -> None:
    assert analyzer.analyze("我在考虑要不要买").intent is None  # 要不要买 (0) over 要买
    assert analyzer.analyze("我要买").intent == "purchase"
