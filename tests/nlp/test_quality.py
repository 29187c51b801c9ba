"""Quality on our own labelled set: sensitive precision/recall, intent accuracy.

tests/nlp/data/quality.tsv holds realistic customer and staff messages, written apart from
the lists (role, categories, intent, text). Precision and recall count (message, category)
pairs over the four categories; accuracy counts messages whose intent (or none) is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlp import Analyzer

DATA = Path(__file__).parent / "data" / "quality.tsv"


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    accuracy: float
    messages: int
    misses: tuple[str, ...]


def measure(analyzer: Analyzer) -> Quality:
    tp = fp = fn = right = 0
    misses: list[str] = []
    rows = [line.split("\t") for line in DATA.read_text("utf-8").splitlines()]
    rows = [row for row in rows if len(row) == 4 and not row[0].startswith("#")]
    for _role, categories, intent, text in rows:
        want = set() if categories == "-" else set(categories.split(","))
        result = analyzer.analyze(text)
        got = set(result.categories)
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        expected = None if intent == "-" else intent
        right += result.intent == expected
        if got != want or result.intent != expected:
            misses.append(
                f"{text}: want {sorted(want)} {expected}, got {sorted(got)} {result.intent}"
            )
    return Quality(tp / (tp + fp), tp / (tp + fn), right / len(rows), len(rows), tuple(misses))


def test_quality_on_our_labelled_set(analyzer: Analyzer) -> None:
    quality = measure(analyzer)
    report = (
        f"{quality.messages} messages: sensitive precision {quality.precision:.3f}, "
        f"recall {quality.recall:.3f}, intent accuracy {quality.accuracy:.3f}\n"
        + "\n".join(quality.misses)
    )
    print(report)  # noqa: T201 - pytest -s shows the figures and every miss
    assert quality.messages >= 300
    assert quality.precision >= 0.9, report
    assert quality.recall >= 0.9, report
    assert quality.accuracy >= 0.85, report


def test_innocent_messages_have_no_sensitive_hit(analyzer: Analyzer) -> None:
    """Hard negatives: the words of the lists in innocent use (第一次, 有没有副作用, 刷卡...)."""
    lines = (Path(__file__).parent / "data" / "innocent.txt").read_text("utf-8").splitlines()
    flagged = {
        text: [(h.category, text[h.start : h.end]) for h in analyzer.analyze(text).sensitive]
        for text in lines
        if text
    }
    assert {text: hits for text, hits in flagged.items() if hits} == {}
    assert len(flagged) >= 80
