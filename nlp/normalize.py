"""Normalization that keeps a map back to the original offsets.

``normalize(text)`` folds every character to its canonical form (``nlp.chars``), drops noise
between characters (spaces, ``*``, ``_``, ``-``, emoji, zero-width and control characters,
other symbols), collapses a character repeated three times or more (digits excepted: phone
numbers repeat digits), and keeps sentence punctuation and line breaks as boundaries that no
match may cross.

A dot or tilde is a boundary unless it separates a spelled-out word: it is noise when the
characters on both sides are Latin letters or digits (``v.x``, ``w.x``) or when the word
characters on one side stand alone (``加.我.微.信``); ``好的.我加你`` and a final ``详聊.`` keep
their boundary.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from nlp.chars import (
    BOUNDARIES,
    CHINESE_DIGITS,
    EXPAND,
    EXPANSIONS,
    NOISE,
    SOFT,
    TABLE,
    changed,
)

# Digits, Chinese numerals included, never collapse: 13800000000 and 一三八零零零 keep them all.
_REPEAT: Final = re.compile(r"([^\W\d_零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖幺两洞])\1{2,}")
_TRIPLE: Final = re.compile(r"(.)\1\1")  # cheap test before the real one
_SOFT_MARKS: Final = frozenset((SOFT, NOISE))
_new: Final = tuple.__new__


class Normalized(NamedTuple):
    """A message in normalized form, and where each normalized character came from.

    A NamedTuple: one is made per message, and a frozen dataclass costs a microsecond.
    """

    original: str
    text: str
    # Original [start, end) of each character of ``text``; None: the identity.
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of ``text[start:end]`` (noise inside the span included)."""
        if self.starts is None:
            return start, end
        if end <= start:  # an empty span: where ``text[start]`` begins, or where the text ends
            if start < len(self.starts):
                first = self.starts[start]
            else:
                first = self._end(len(self.starts) - 1) if self.starts else 0
            return first, first
        return self.starts[start], self._end(end - 1)

    def _end(self, index: int) -> int:
        """The original end of ``text[index]``."""
        if self.ends is not None:
            return self.ends[index]
        return (self.starts[index] if self.starts is not None else index) + 1

    def joined(self, index: int) -> bool:
        """True when ``text[index - 1]`` and ``text[index]`` touch in the original."""
        if self.starts is None or index <= 0 or index >= len(self.text):
            return True
        # >=: the two digits of ⑽ both come from one original character
        return self._end(index - 1) >= self.starts[index]

    def digits(self) -> str:
        """The normalized text with Chinese numerals as digits (same length, same offsets)."""
        return self.text.translate(CHINESE_DIGITS)


def normalize(text: str) -> Normalized:
    """Normalize ``text``; see the module docstring for the rules."""
    if not changed().search(text):  # the fast path: nothing to fold, drop or decide
        result = _new(Normalized, (text, text, None, None))  # NamedTuple(...): 3x slower
        return _collapse(result) if _TRIPLE.search(text) else result
    marked = text.translate(TABLE)
    if SOFT in marked:
        marked = _resolve_soft(text, marked)
    if EXPAND in marked:
        return _collapse(_expanded(text, marked))
    if NOISE in marked:
        starts = [i for i, c in enumerate(marked) if c != NOISE]
        result = Normalized(text, marked.replace(NOISE, ""), starts)
    else:
        result = Normalized(text, marked)
    if _TRIPLE.search(result.text):
        return _collapse(result)
    return result


def _resolve_soft(text: str, marked: str) -> str:
    """Decide each dot or tilde: noise inside a spelled-out word, a boundary elsewhere."""
    out = list(marked)
    for i, c in enumerate(marked):
        if c != SOFT:
            continue
        left = _neighbour(marked, i, -1)
        right = _neighbour(marked, i, 1)
        glue = False
        if left is not None and right is not None:
            a, b = _form(text, marked, left)[-1], _form(text, marked, right)[0]
            glue = (_latin(a) and _latin(b)) or (
                _run_length(marked, left, -1) == 1 or _run_length(marked, right, 1) == 1
            )
        out[i] = NOISE if glue else "."
    return "".join(out)


def _form(text: str, marked: str, i: int) -> str:
    """The canonical form of ``text[i]``: several characters for an expanded one (⑽ → 10)."""
    return EXPANSIONS[text[i]] if marked[i] == EXPAND else marked[i]


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _word(ch: str) -> bool:
    """A character of a word (an expanded character always is: its forms are alphanumeric)."""
    return ch == EXPAND or (ch.isalnum() and ch not in BOUNDARIES)


def _neighbour(marked: str, i: int, step: int) -> int | None:
    """Index of the nearest word character from ``i`` in direction ``step``, across noise."""
    j = i + step
    while 0 <= j < len(marked):
        c = marked[j]
        if c not in _SOFT_MARKS:
            return j if _word(c) else None
        j += step
    return None


def _run_length(marked: str, i: int, step: int) -> int:
    """How many word characters stand together at ``i``, counting away from the separator."""
    n = 0
    while 0 <= i < len(marked) and _word(marked[i]):
        n += 1
        i += step
    return n


def _expanded(text: str, marked: str) -> Normalized:
    """The slow path: some character stands for several (⑽ → 10, ß → ss)."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, c in enumerate(marked):
        if c == NOISE:
            continue
        form = EXPANSIONS.get(text[i], c) if c == EXPAND else c
        chars.append(form)
        starts.extend([i] * len(form))
        ends.extend([i + 1] * len(form))
    return Normalized(text, "".join(chars), starts, ends)


def _collapse(result: Normalized) -> Normalized:
    """傻傻傻逼 → 傻逼: a letter repeated three times or more counts once."""
    if not _REPEAT.search(result.text):
        return result
    n = len(result.text)
    starts = result.starts if result.starts is not None else list(range(n))
    ends = result.ends if result.ends is not None else [s + 1 for s in starts]
    chars: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for match in _REPEAT.finditer(result.text):
        chars.append(result.text[pos : match.start()])
        new_starts.extend(starts[pos : match.start()])
        new_ends.extend(ends[pos : match.start()])
        chars.append(match.group(1))
        new_starts.append(starts[match.start()])
        new_ends.append(ends[match.end() - 1])
        pos = match.end()
    chars.append(result.text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return Normalized(result.original, "".join(chars), new_starts, new_ends)
