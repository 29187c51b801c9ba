"""Where jieba decides: is a match made of whole words, and is it negated?

Both questions look only at the clause around a match (sentence punctuation ends a clause),
within a window, so a long message costs no more than a short one. jieba runs only when the
answer depends on it: a match that needs whole words, or a negation word close before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from nlp.segment import Segmenter

_A_NOT_A: Final = re.compile(r"(\w)[不没]\1")
_WINDOW: Final = 16  # characters each side of a match that jieba sees
_NEGATION_REACH: Final = 8  # characters before a match searched for a negation
_FILLERS_SKIPPED: Final = 3  # 不 [想] [再] [给你] 发: words between a negation and what it negates


def clause_start(text: str, index: int) -> int:
    """Start of the clause holding ``text[index]``."""
    i = index
    while i > 0 and text[i - 1].isalnum() and index - i < _WINDOW * 4:
        i -= 1
    return i


def clause_end(text: str, index: int) -> int:
    """End of the clause holding ``text[index - 1]``."""
    i = index
    while i < len(text) and text[i].isalnum() and i - index < _WINDOW * 4:
        i += 1
    return i


@dataclass(frozen=True, slots=True)
class Context:
    """Token boundaries and negation, decided with one shared jieba segmenter."""

    segmenter: Segmenter
    negators: frozenset[str]
    fillers: frozenset[str]
    negation_chars: frozenset[str]

    @classmethod
    def build(
        cls, segmenter: Segmenter, negators: tuple[str, ...], fillers: tuple[str, ...]
    ) -> Context:
        """A context for these negation words and the filler words that may follow them."""
        chars = frozenset(c for word in negators for c in word[:1])
        return cls(segmenter, frozenset(negators), frozenset(fillers), chars)

    def whole_words(self, text: str, start: int, end: int) -> bool:
        """Does jieba put word boundaries at ``start`` and ``end``?"""
        left = max(clause_start(text, start), start - _WINDOW)
        right = min(clause_end(text, end), end + _WINDOW)
        cuts = self.segmenter.boundaries(text[left:right])
        return start - left in cuts and end - left in cuts

    def negated(self, text: str, start: int) -> bool:
        """Is the match at ``start`` negated (不贵, 不想买了, 请勿私下转账)?"""
        left = max(clause_start(text, start), start - _NEGATION_REACH)
        before = _A_NOT_A.sub("", text[left:start])  # 能不能, 有没有: a question, not a negation
        if not before or not any(c in self.negation_chars for c in before):
            return False
        tokens = self.segmenter.tokens(before)[::-1]
        for skipped, token in enumerate(tokens):
            if token in self.negators:
                return True
            if token not in self.fillers or skipped >= _FILLERS_SKIPPED:
                return False
        return False
