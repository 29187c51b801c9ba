"""Where jieba decides: is a match made of whole words, and is it negated?

Both questions look only at the clause around a match (sentence punctuation ends a clause),
within a window, so a long message costs no more than a short one. jieba segments only for a
match that needs whole words; negation reads the few characters before a match against the
negation and filler words, with jieba's dictionary to tell 特别 from 别.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from nlp.segment import Segmenter

_A_NOT_A: Final = re.compile(r"(\w)[不没]\1")
_WINDOW: Final = 16  # characters each side of a match that jieba sees
NEGATION_REACH: Final = 8  # characters before a match searched for a negation
_ASKING_AFTER: Final = frozenset("吗?？呢么")
_ASKING_BEFORE: Final = re.compile("是不是|能不能|会不会|有没有|可不可以|能否|是否")
_RUN: Final = re.compile(rf"[^\W_]{{0,{_WINDOW * 4}}}")  # letters and digits: str.isalnum
_FILLERS_SKIPPED: Final = 3  # 不 [想] [再] [给你] 发: words between a negation and what it negates


def clause_start(text: str, index: int, reach: int = _WINDOW * 4) -> int:
    """Start of the clause holding ``text[index]`` (looking back ``reach`` characters)."""
    i = index
    stop = max(0, index - reach)
    while i > stop and text[i - 1].isalnum():
        i -= 1
    return i


def clause_end(text: str, index: int) -> int:
    """End of the clause holding ``text[index - 1]``."""
    match = _RUN.match(text, index)
    return match.end() if match else index


@dataclass(frozen=True, slots=True)
class Context:
    """Token boundaries and negation, decided with one shared jieba segmenter."""

    segmenter: Segmenter
    negators: frozenset[str]
    fillers: frozenset[str]
    vocabulary: frozenset[str]
    first_chars: frozenset[str]

    @classmethod
    def build(
        cls, segmenter: Segmenter, negators: tuple[str, ...], fillers: tuple[str, ...]
    ) -> Context:
        """A context for these negation words and the filler words that may follow them."""
        vocabulary = frozenset(w for w in (*negators, *fillers) if len(w) <= 4)  # noqa: PLR2004
        negations = frozenset(negators)
        first = frozenset(w[0] for w in negations if w)
        return cls(segmenter, negations, frozenset(fillers), vocabulary, first)

    def whole_words(self, text: str, start: int, end: int) -> bool:
        """Does jieba put word boundaries at ``start`` and ``end``?"""
        left = max(clause_start(text, start), start - _WINDOW)
        right = min(clause_end(text, end), end + _WINDOW)
        cuts = self.segmenter.boundaries(text[left:right])
        return start - left in cuts and end - left in cuts

    def asked(self, text: str, start: int, end: int) -> bool:
        """Is the clause around ``text[start:end]`` a question (能根治吗, 是不是全网最低)?"""
        left = clause_start(text, start, _WINDOW)
        right = clause_end(text, end)
        after = text[end : right + 1]  # the boundary that ends the clause: ? or ？
        if not _ASKING_AFTER.isdisjoint(after):
            return True
        return _ASKING_BEFORE.search(text, left, start) is not None

    def negated(self, text: str, start: int) -> bool:
        """Is the match at ``start`` negated (不贵, 不想买了, 请勿私下转账)?

        Reads backwards over the known words (negations and fillers), longest first, and
        asks jieba's dictionary whether a one-character negation is really part of a word
        (特别, 分别: 别 is no negation there). No segmentation runs.
        """
        if self.first_chars.isdisjoint(text[max(0, start - NEGATION_REACH) : start]):
            return False  # no negation word starts close before: the usual case
        left = clause_start(text, start, NEGATION_REACH)
        i = start
        skipped = 0
        while i > left:
            if i - 3 >= left and _A_NOT_A.fullmatch(text, i - 3, i):
                i -= 3  # 能不能, 有没有: asks, does not negate
                continue
            word = next(
                (
                    text[i - k : i]
                    for k in (4, 3, 2, 1)
                    if text[i - k : i] in self.vocabulary and i - k >= left
                ),
                None,
            )
            if word is None:
                return False
            if word in self.negators:
                return not (len(word) == 1 and self._in_a_word(text, i - 1, left))
            if skipped >= _FILLERS_SKIPPED:
                return False
            skipped += 1
            i -= len(word)
        return False

    def _in_a_word(self, text: str, index: int, left: int) -> bool:
        """Does ``text[index]`` end a dictionary word with the character before it?"""
        if index - 1 < left:
            return False
        pair = text[index - 1 : index + 1]
        return pair not in self.vocabulary and self.segmenter.frequency(pair) > 0
