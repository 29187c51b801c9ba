"""jieba, initialized once, behind a small interface: tokens and token boundaries.

One ``jieba.Tokenizer`` per process (not jieba's global one), loaded at start-up; siyu's words
are added to its dictionary as the lists are compiled, so jieba keeps them whole. Words are
only ever added: a reload that drops a word leaves it in jieba's dictionary, where it is
harmless (it only keeps that word whole), and no tokenizer is rebuilt while messages flow.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable
from typing import Any, Final

# Enough for jieba to keep a word of three characters or more whole, not enough to pull
# characters off their neighbours. Two-character words are left to jieba's own dictionary:
# they are the ones whose boundaries jieba is asked about (生日你 is 生日/你, not 生/日你).
_WORD_FREQ: Final = 1000
_MIN_WORD: Final = 3


def _jieba() -> Any:
    with warnings.catch_warnings():
        # jieba imports pkg_resources when it exists, which newer setuptools deprecates.
        warnings.simplefilter("ignore")
        import jieba  # noqa: PLC0415 - importing jieba costs; only where a Segmenter is made

    jieba.setLogLevel(logging.WARNING)  # its start-up chatter goes to stderr otherwise
    return jieba


class Segmenter:
    """Word segmentation with jieba (HMM off: boundaries of known words are what we need)."""

    def __init__(self) -> None:
        self._tokenizer = _jieba().Tokenizer()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._tokenizer.initialize()
        self._lock = threading.Lock()

    def tokens(self, text: str) -> list[str]:
        """The words of ``text``."""
        tokens: list[str] = self._tokenizer.lcut(text, HMM=False)
        return tokens

    def boundaries(self, text: str) -> set[int]:
        """Offsets in ``text`` where one word ends and the next begins (0 and len included)."""
        out = {0}
        pos = 0
        for token in self.tokens(text):
            pos += len(token)
            out.add(pos)
        return out

    def add_words(self, words: Iterable[str]) -> int:
        """Add words jieba does not know yet; returns how many were new."""
        freq = self._tokenizer.FREQ
        added = 0
        with self._lock:  # two builds adding at once would double-count jieba's total
            for word in words:
                if len(word) >= _MIN_WORD and not freq.get(word):
                    self._tokenizer.add_word(word, _WORD_FREQ)
                    added += 1
        return added

    def frequency(self, word: str) -> int:
        """jieba's count for ``word`` (0 when unknown)."""
        count: int = self._tokenizer.FREQ.get(word, 0)
        return count
