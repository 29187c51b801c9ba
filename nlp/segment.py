"""Word segmentation over jieba's dictionary, in a compact form: tokens and token boundaries.

jieba (precise mode, HMM off) finds every dictionary word of a sentence, then the route of
words with the highest product of frequencies. Its tokenizer keeps the dictionary as a Python
dict of every word and every prefix (~70 MiB per process, more with a big user list). siyu
asks jieba only about boundaries in a short window around a match, so it runs the same
algorithm over the same dictionary (jieba's ``dict.txt``, read once per process) held in an
Aho-Corasick automaton and an array of counts (~25 MiB): the same tokens as
``jieba.Tokenizer().lcut(text, HMM=False)`` (tests/nlp/test_segment.py compares them).

Words are added as the lists are compiled (count 1000, as jieba's ``add_word`` with that
count), so the segmenter keeps them whole. Words are only ever added: a reload that drops a
word leaves it in, where it is harmless (it only keeps that word whole).
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
import threading
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final, NamedTuple

import ahocorasick_rs

# Enough to keep a word of three characters or more whole, not enough to pull characters off
# their neighbours. Two-character words are left to jieba's own dictionary: they are the ones
# whose boundaries are asked about (生日你 is 生日/你, not 生/日你).
_WORD_FREQ: Final = 1000
_MIN_WORD: Final = 3
# jieba's blocks: runs of these are segmented, anything else is a token of one character.
_HAN: Final = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%-]+)")
_ENG: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class _Words(NamedTuple):
    """Words in an automaton, and each one's count by pattern index."""

    automaton: ahocorasick_rs.AhoCorasick | None
    counts: array[int]
    total: int

    @classmethod
    def of(cls, words: dict[str, int]) -> _Words:
        patterns = [w for w, c in words.items() if c > 0]
        counts = array("L", (words[w] for w in patterns))
        automaton = (
            ahocorasick_rs.AhoCorasick(
                patterns,
                store_patterns=False,
                implementation=ahocorasick_rs.Implementation.ContiguousNFA,
            )
            if patterns
            else None
        )
        return cls(automaton, counts, sum(words.values()))

    def count(self, word: str) -> int:
        """The count of ``word`` (0 when unknown)."""
        if self.automaton is None or not word:
            return 0
        for index, start, end in self.automaton.find_matches_as_indexes(word, overlapping=True):
            if start == 0 and end == len(word):
                return self.counts[index]
        return 0


def _dictionary_path() -> Path:
    """jieba's dict.txt, found without importing jieba (its HMM tables cost memory)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("jieba is not installed (its dictionary is needed)")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


@functools.cache
def jieba_words() -> _Words:
    """jieba's dictionary, loaded once per process (about 0.6 s).

    Read line by line: splitting the whole file at once held a million small strings (the
    tags and counts too) at the same time, ~50 MiB more at the process's peak.
    """
    words: dict[str, int] = {}
    total = 0
    with _dictionary_path().open(encoding="utf-8") as lines:
        for line in lines:  # word count tag
            fields = line.split(maxsplit=2)
            if len(fields) < 2:  # noqa: PLR2004 - a blank line: nothing to read
                continue
            word, count = fields[:2]
            # A repeated word keeps its last count, and every count adds to the total (jieba).
            words[word] = number = int(count)
            total += number
    return _Words.of(words)._replace(total=total)


class Segmenter:
    """jieba's precise-mode segmentation (HMM off): boundaries of known words."""

    def __init__(self) -> None:
        self._base = jieba_words()
        self._added: dict[str, int] = {}
        self._user = _Words(None, array("L"), 0)
        self._lock = threading.Lock()

    def tokens(self, text: str) -> list[str]:
        """The words of ``text``."""
        out: list[str] = []
        for block in _HAN.split(text):
            if not block:
                continue
            if _HAN.fullmatch(block):
                out.extend(self._cut(block))
            else:
                out.extend(block)  # jieba: one token per character outside its blocks
        return out

    def boundaries(self, text: str) -> set[int]:
        """Offsets in ``text`` where one word ends and the next begins (0 and len included)."""
        out = {0}
        pos = 0
        for token in self.tokens(text):
            pos += len(token)
            out.add(pos)
        return out

    def add_words(self, words: Iterable[str]) -> int:
        """Add words the dictionary does not know yet; returns how many were new."""
        with self._lock:  # two builds adding at once would lose words
            added = dict(self._added)
            for word in words:
                if len(word) >= _MIN_WORD and word not in added and not self._base.count(word):
                    added[word] = _WORD_FREQ
            new = len(added) - len(self._added)
            if new:
                self._user = _Words.of(added)  # built aside, then one reference swapped
                self._added = added
        return new

    def frequency(self, word: str) -> int:
        """The dictionary's count for ``word`` (0 when unknown)."""
        return self._base.count(word) or self._user.count(word)

    def _cut(self, block: str) -> list[str]:
        """One block of jieba's: the best route through the dictionary's words."""
        base, user = self._base, self._user
        n = len(block)
        edges: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for words in (base, user):
            if words.automaton is None:
                continue
            counts = words.counts
            for index, start, end in words.automaton.find_matches_as_indexes(
                block, overlapping=True
            ):
                edges[start].append((end - 1, counts[index]))
        route = _route(n, edges, math.log(base.total + user.total))
        tokens: list[str] = []
        buffer = ""
        x = 0
        while x < n:
            y = route[x] + 1
            word = block[x:y]
            if len(word) == 1 and word in _ENG:  # jieba glues single letters and digits
                buffer += word
            else:
                if buffer:
                    tokens.append(buffer)
                    buffer = ""
                tokens.append(word)
            x = y
        if buffer:
            tokens.append(buffer)
        return tokens


def _route(n: int, edges: Sequence[list[tuple[int, int]]], logtotal: float) -> list[int]:
    """jieba's ``calc``: for each start, the last index of the word on the best route."""
    log = math.log
    scores = [0.0] * (n + 1)
    ends = [0] * n
    for idx in range(n - 1, -1, -1):
        scores[idx], ends[idx] = max(
            (log(count) - logtotal + scores[x + 1], x) for x, count in edges[idx] or ((idx, 1),)
        )
    return ends
