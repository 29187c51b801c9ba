"""Intents: weighted cue rules with negation, behind a Protocol a trained model can fill.

A cue is a word or phrase with a weight (``intents/<intent>.txt``). The automaton finds the
cues of a message in one pass; a cue flagged ``token`` counts only when jieba sees it as whole
words (人工 is not in 人工智能), and a cue right after a negation (不, 没, 别, 不想, 请勿...)
counts for nothing unless flagged ``keep`` (别再发 is itself the request). Overlapping cues of
one intent count once: the longest, the most specific (要不要买, weight 0, over 要买). A
question (吗, 多少, ?) adds ``question_bonus`` to each intent that has a cue: 价格 alone is a
statement, 价格能谈吗 a question. The intent with the highest total wins when it reaches
``min_score``; ties go to the earlier intent of ``[intent] order``.
No cue, no jieba: most messages cost one automaton pass.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from nlp.context import NEGATION_REACH, Context
from nlp.matcher import Match, Matcher
from nlp.normalize import Normalized


@dataclass(frozen=True, slots=True)
class Intent:
    """An intent and how sure the classifier is, in [0, 1]."""

    name: str
    score: float


class IntentClassifier(Protocol):
    """Anything that names the intent of a message, or says there is none."""

    def classify(self, text: Normalized) -> Intent | None:
        """The intent of ``text`` (``text.original`` is the message as written)."""
        ...


def _longest_first(match: Match) -> tuple[int, float, int]:
    """The most specific cue first: 要不要买 (weight 0) speaks over the 要买 inside it."""
    return (match.start - match.end, -match.rule.weight, match.start)


@functools.lru_cache(maxsize=4096)  # a few sums of a few weights: computed once each
def confidence(total: float) -> float:
    """Summed cue weight → [0, 1): one strong cue (weight 2) gives 0.75."""
    return round(1.0 - math.pow(0.5, max(total, 0.0)), 4)


@functools.lru_cache(maxsize=4096)  # a few intents times a few sums: one frozen object each
def _intent(name: str, total: float) -> Intent:
    return Intent(name, confidence(total))


def _by_intent(found: Sequence[Match], strip: int) -> dict[str, list[Match]]:
    """The cues grouped by intent (``strip``: the label's prefix to drop)."""
    label = found[0].rule.label
    for match in found:
        if match.rule.label != label:
            break
    else:  # the cues of one intent (most messages with several cues): no dict to grow
        return {label[strip:]: list(found)}
    groups: dict[str, list[Match]] = {}
    for match in found:
        groups.setdefault(match.rule.label[strip:], []).append(match)
    return groups


class RuleIntents:
    """The rule classifier: cue weights over the automaton's matches, negation by jieba."""

    def __init__(
        self,
        matcher: Matcher,
        context: Context,
        order: tuple[str, ...],
        min_score: float,
        questions: tuple[tuple[str, ...], float] = ((), 0.0),
    ) -> None:
        self._matcher = matcher
        self._context = context
        self._rank = {name: i for i, name in enumerate(order)}
        self._min_score = min_score
        markers, self._question_bonus = questions
        self._question = re.compile("|".join(map(re.escape, markers))) if markers else None

    def classify(
        self, text: Normalized, matches: Sequence[Match] | None = None, asks: bool | None = None
    ) -> Intent | None:
        """The best-scoring intent at or above ``min_score``, else None.

        ``matches``: the cues already found by a shared automaton (labels ``#<intent>``,
        intent cues only), which saves a second pass over the text; ``asks``: whether that
        pass found a question marker.
        """
        found: Sequence[Match]
        if matches is None:
            found = self._matcher.find(text)
            strip = 0
        else:
            found = matches
            strip = 1
        if not found:
            return None
        if asks is None:
            asks = self._question is not None and self._question.search(text.text) is not None
        bonus = self._question_bonus if asks else 0.0
        if len(found) == 1:  # one cue (most messages with an intent): no grouping to do
            return self._one(text, found[0], bonus, strip)
        groups = _by_intent(found, strip)
        # Branch and bound: an intent whose cues could not reach min_score even if none were
        # negated is never checked (no jieba, no negation), nor one that cannot beat the best.
        best: tuple[float, int, str] | None = None
        unknown = len(self._rank)
        for name, matches_of in groups.items():
            bound = bonus + sum(max(m.rule.weight, 0) for m in matches_of)
            if bound < self._min_score or (best is not None and bound < -best[0]):
                continue
            total = bonus + self._score(text, matches_of)
            key = (-total, self._rank.get(name, unknown), name)
            if total >= self._min_score and (best is None or key < best):
                best = key
        if best is None:
            return None
        return _intent(best[2], -best[0])

    def _one(self, text: Normalized, match: Match, bonus: float, strip: int) -> Intent | None:
        """The intent of a message with a single cue."""
        rule = match.rule
        if bonus + max(rule.weight, 0) < self._min_score:
            return None
        total = bonus + (rule.weight if self._stands(text, match) else 0.0)
        if total < self._min_score:
            return None
        return _intent(rule.label[strip:], total)

    def _stands(self, text: Normalized, match: Match) -> bool:
        """Is the cue whole words (where it must be) and not negated?"""
        rule, start, end = match
        if rule.token and not self._context.whole_words(text.text, start, end):
            return False
        if not rule.negatable or self._context.first_chars.isdisjoint(
            text.text[max(0, start - NEGATION_REACH) : start]
        ):
            return True  # no negation word starts close before: the usual case
        return not self._context.negated(text.text, start)

    def _score(self, text: Normalized, matches: list[Match]) -> float:
        """The summed weight of one intent's cues that stand (whole words, not negated)."""
        if len(matches) == 1:
            return matches[0].rule.weight if self._stands(text, matches[0]) else 0.0
        taken: list[tuple[int, int]] = []
        total = 0.0
        for match in sorted(matches, key=_longest_first):
            rule, start, end = match
            for left, right in taken:
                if start < right and left < end:
                    break  # overlapping cues of one intent count once: the longest
            else:
                if self._stands(text, match):
                    taken.append((start, end))
                    total += rule.weight
        return total
