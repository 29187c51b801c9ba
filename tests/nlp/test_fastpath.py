"""The optimized ``Analyzer.analyze`` gives exactly the analysis of the straightforward path.

The oracle (tests/nlp/reference.py) takes every rule of every match and decides the plain way;
both must agree on every hit (category, word, offsets), the intent and its score, over the
bench's corpus on its 50,000-word lists, our labelled sets, and messages hypothesis builds from
the pieces that exercise each decision (list words, evasions, negations, questions, contacts,
allowlisted look-alikes, noise and repeats).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.nlp_corpus import CONTACT, EVASION, INTENT, PLAIN, SENSITIVE, messages, write_big_lists
from nlp import Analysis, Analyzer, Segmenter
from tests.nlp.reference import reference_analyze

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def big_analyzer(tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter) -> Analyzer:
    """The bench's analyzer: the default lists grown to 50,000 words."""
    lists = tmp_path_factory.mktemp("bench") / "nlp"
    write_big_lists(lists)
    return Analyzer(lists, segmenter=segmenter)


def _differences(analyzer: Analyzer, texts: list[str]) -> list[tuple[str, Analysis, Analysis]]:
    out = []
    for text in texts:
        fast, plain = analyzer.analyze(text), reference_analyze(analyzer, text)
        if fast != plain:
            out.append((text, fast, plain))
    return out


def test_the_bench_corpus_on_the_big_lists(big_analyzer: Analyzer) -> None:
    corpus = messages(20_000)
    assert _differences(big_analyzer, corpus) == []
    # the corpus exercises every path: plain chat, hits, intents, pairs, contacts
    results = [big_analyzer.analyze(text) for text in corpus[:3000]]
    assert sum(bool(r.sensitive) for r in results) > 300
    assert sum(r.intent is not None for r in results) > 600


def _labelled_texts() -> list[str]:
    return [
        line.split("\t")[-1]
        for name in ("quality.tsv", "hard.tsv", "hard_check.tsv")
        for line in (DATA / name).read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]


def test_the_labelled_sets(analyzer: Analyzer) -> None:
    texts = _labelled_texts()
    assert len(texts) > 1000
    assert _differences(analyzer, texts) == []


@pytest.mark.parametrize(
    "text",
    [
        "shopdotcom",  # each clue the contact detectors' early exit looks for, alone
        "shop点com看看",
        "v:ab12cd",
        "微:zhang8",
        "加我12345",
        "一二三四五六七八九零",
        "好评返现",  # the pairs, question markers and allowlist of Matcher.scan
        "给个好评返你10块",
        "垃圾袋多少钱吗",
        "吗",
    ],
)
def test_each_shortcut_against_the_oracle(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text) == reference_analyze(analyzer, text)


_PIECES = (
    *PLAIN[:40],
    *INTENT,
    *SENSITIVE,
    *EVASION,
    *CONTACT,
    "不贵",
    "不想买了",
    "别再发",
    "特别好",
    "能不能便宜",
    "是不是全网最低",
    "保证",
    "好评",
    "返现",
    "给个好评返你10块",
    "垃圾袋",
    "成人教育",
    "滚",
    "滚筒",
    "人工智能",
    "vx",
    "vxd123",
    "加我vx123456",
    "q：12345678",
    "v:ab12cd",
    "微:zhang8",
    "shop点com",
    "shopdotcom",
    "abc@qq.com",
    "订单号13912345678",
    "电话021-12345678",
    "work.weixin.qq.com",
    "¥AbCd1234¥",
    "傻傻傻逼",
    "⑽",
    "ß",
    "吗",
    "？",
    "多少",
)
_GLUE = st.sampled_from(["", "，", "。", " ", "!", "*", ".", "~", "\n", "😀", "、", "？"])
_SETTINGS: Final[dict[str, Any]] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow],
}
_LETTERS = "加我微信vx好评返现不别吗多少钱滚垃圾袋，. 1386"
_MESSAGES = st.one_of(
    st.lists(st.tuples(st.sampled_from(_PIECES), _GLUE), max_size=6).map(
        lambda parts: "".join(piece + glue for piece, glue in parts)
    ),
    st.text(
        alphabet=st.sampled_from("加我微信vx好评返现不别吗多少钱滚垃圾袋，. 1386"), max_size=40
    ),
    st.text(max_size=30),
)


@settings(
    max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_MESSAGES)
def test_generated_messages(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text) == reference_analyze(analyzer, text)


@settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_MESSAGES)
def test_generated_messages_on_the_big_lists(big_analyzer: Analyzer, text: str) -> None:
    assert big_analyzer.analyze(text) == reference_analyze(big_analyzer, text)
