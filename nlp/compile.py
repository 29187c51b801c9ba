"""From list entries to automaton patterns: family expansion, normalization, validation."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from nlp.errors import ListError
from nlp.families import Family
from nlp.lists import Entry
from nlp.normalize import normalize

# Labels of rules that are not sensitive categories (list names are [a-z][a-z0-9_]*, so
# "@..." and "#..." never collide with one).
ALLOW: Final = "@allow"  # the containment allowlist
CUE_PREFIX: Final = "@"  # "@wechat", "@qq": a contact id may follow
INTENT_PREFIX: Final = "#"  # intent cues share the sensitive automaton under "#<intent>"
QUESTION: Final = "?"  # question markers (吗, 多少): the intent's question bonus
_PLACEHOLDER: Final = re.compile(r"\{(~?)([^{}]+)\}")
_CHUNK: Final = 2000
_PAUSE_SECONDS: Final = 0.0005
_FAMILY_ENTRIES_PER_PAUSE: Final = 50  # each expands to hundreds of spellings
_MAX_EXPANSIONS: Final = 20_000  # per entry: a typo in families must not explode memory


@dataclass(frozen=True, slots=True)
class Rule:
    """What one pattern means: reported as ``word`` under ``label``."""

    label: str
    word: str
    weight: float = 1.0
    token: bool = False  # jieba must see the match as whole words
    negatable: bool = False  # a negation right before it cancels it
    part: int = 0  # 1 or 2: the first or second half of an ``A&B`` entry (both, close, in order)
    clause: bool = False  # the match must be a whole clause: 滚 alone, never inside a word


def is_latin(ch: str) -> bool:
    """ASCII letters and digits: the characters of whole-word rules."""
    return ch.isascii() and ch.isalnum()


def display(entry: str) -> str:
    """The entry as a person reads it: ``加我{微信}`` → ``加我微信``."""
    return _PLACEHOLDER.sub(lambda m: m.group(2), entry)


def expand(
    entry: Entry, families: Mapping[str, Family], stop_chars: str = ""
) -> tuple[set[str], bool]:
    """Every normalized spelling of an entry, and whether it used a family."""
    if "{" not in entry.text:
        return {_checked(entry, entry.text, normalize(entry.text).text)}, False
    parts: list[Iterable[str]] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(entry.text):
        parts.append((entry.text[pos : match.start()],))
        family = families.get(match.group(2))
        if family is None:
            raise ListError(f"{entry.source}: no family named {match.group(2)!r} (families.toml)")
        evasive = bool(match.group(1))
        parts.append(sorted(family.spellings(evasive_only=evasive, stop_chars=stop_chars)))
        pos = match.end()
    parts.append((entry.text[pos:],))
    spellings = {""}
    for options in parts:
        spellings = {head + tail for head in spellings for tail in options}
        if len(spellings) > _MAX_EXPANSIONS:
            raise ListError(f"{entry.source}: {entry.text!r} expands to over {_MAX_EXPANSIONS}")
    out = set()
    for spelling in spellings:
        text = normalize(spelling).text
        if len(text) < 2 and pos > 0:  # noqa: PLR2004 - {~微信} alone: "v" is no keyword, "加v" is
            continue
        out.add(_checked(entry, spelling, text))
    if not out:
        _checked(entry, entry.text, "")
    return out, pos > 0


def pause() -> None:
    """Let other threads run: a reload built in the background must not starve matching.

    CPython hands the GIL over only every few milliseconds between two busy threads; a
    short sleep after each chunk of work gives the matching thread the interpreter at once.
    """
    if threading.current_thread() is not threading.main_thread():
        time.sleep(_PAUSE_SECONDS)


def _half(entry: Entry, families: Mapping[str, Family], stop_chars: str) -> set[str]:
    """The spellings of one half of an ``A&B`` entry: one character is enough there."""
    if "{" in entry.text:
        return expand(entry, families, stop_chars)[0]
    text = normalize(entry.text).text
    if not text or not text.isalnum():
        raise ListError(f"{entry.source}: {entry.text!r} is not a word")
    return {text}


def normalize_plain(entries: Sequence[Entry]) -> list[str] | None:
    """Normalize many family-free entries a chunk at a time (a line break is a boundary, so
    each line normalizes as if alone); None if the lines do not come back one for one.

    Chunks keep each C call short: a reload in a thread never holds the GIL for long.
    """
    texts: list[str] = []
    for i in range(0, len(entries), _CHUNK):
        chunk = entries[i : i + _CHUNK]
        texts.extend(normalize("\n".join(e.text for e in chunk)).text.split("\n"))
        pause()
        if len(texts) != i + len(chunk):
            return None
    return texts


def _checked(entry: Entry, spelling: str, text: str) -> str:
    if len(text) == 1 and "clause" in entry.flags:
        return text  # a clause of one character: 滚, 操
    if len(text) < 2:  # noqa: PLR2004 - the rule of the house: no single-character keywords
        raise ListError(
            f"{entry.source}: {spelling!r} is a single character after normalization "
            f"({text!r}); single-character keywords match far too much (flag it `clause` "
            "if it must be a whole clause on its own)"
        )
    if not text.isalnum():
        raise ListError(
            f"{entry.source}: {spelling!r} contains sentence punctuation ({text!r}); "
            "a keyword cannot cross a sentence"
        )
    return text


def needs_tokens(entry: Entry, pattern: str, *, from_family: bool, auto: bool) -> bool:
    """Two Chinese characters are often part of a longer word (垃圾袋): let jieba decide."""
    if "token" in entry.flags:
        return True
    if "substring" in entry.flags or from_family or not auto:
        return False
    return len(pattern) == 2 and not any(is_latin(c) for c in pattern)  # noqa: PLR2004


class PatternTable:
    """Patterns (unique strings) and what each means; the input of the automaton."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.rules: list[list[Rule]] = []

    def add(self, pattern: str, rule: Rule) -> None:
        """Add one meaning of ``pattern`` (a pattern may mean several things)."""
        slot = self.index.get(pattern)
        if slot is None:
            self.index[pattern] = len(self.rules)
            self.rules.append([rule])
        elif rule not in self.rules[slot]:
            self.rules[slot].append(rule)

    def add_entries(
        self,
        label: str,
        entries: Iterable[Entry],
        families: Mapping[str, Family],
        *,
        negatable: bool,
        stop_chars: str = "",
        auto_token: bool = True,
    ) -> set[str]:
        """Add every spelling of every entry; returns the plain words (for jieba)."""
        words: set[str] = set()
        entries = list(entries)
        plain = [e for e in entries if "{" not in e.text and "&" not in e.text]
        texts = normalize_plain(plain)
        if texts is not None:  # the fast path of big lists: one normalization for all
            for i, (entry, text) in enumerate(zip(plain, texts, strict=True)):
                if i % _CHUNK == _CHUNK - 1:
                    pause()
                pattern = _checked(entry, entry.text, text)
                token = needs_tokens(entry, pattern, from_family=False, auto=auto_token)
                keep = negatable and "keep" not in entry.flags
                clause = "clause" in entry.flags
                self.add(pattern, Rule(label, entry.text, entry.weight, token, keep, 0, clause))
                words.add(pattern)
            entries = [e for e in entries if "{" in e.text or "&" in e.text]
        for entry in [e for e in entries if "&" in e.text]:
            self._add_pair(label, entry, families, negatable, stop_chars)
        entries = [e for e in entries if "&" not in e.text]
        for i, entry in enumerate(entries):
            if i % _FAMILY_ENTRIES_PER_PAUSE == _FAMILY_ENTRIES_PER_PAUSE - 1:
                pause()
            patterns, from_family = expand(entry, families, stop_chars)
            self._add_entry(
                label, entry, patterns, negatable, from_family=from_family, auto=auto_token
            )
            if not from_family:
                words.update(patterns)
        return words

    def _add_pair(
        self,
        label: str,
        entry: Entry,
        families: Mapping[str, Family],
        negatable: bool,
        stop_chars: str,
    ) -> None:
        """``好评&红包``: both halves in one clause, in that order, a few characters apart."""
        halves = entry.text.split("&")
        if len(halves) != 2 or not all(halves):  # noqa: PLR2004
            raise ListError(f"{entry.source}: {entry.text!r}: A&B takes exactly two halves")
        word = display(entry.text).replace("&", "…")
        negatable = negatable and "keep" not in entry.flags
        for part, half in enumerate(halves, 1):
            patterns = _half(
                Entry(half, entry.weight, entry.flags, entry.source), families, stop_chars
            )
            for pattern in patterns:
                self.add(pattern, Rule(label, word, entry.weight, False, negatable, part))

    def _add_entry(
        self,
        label: str,
        entry: Entry,
        patterns: set[str],
        negatable: bool,
        *,
        from_family: bool,
        auto: bool,
    ) -> None:
        word = display(entry.text) if from_family else entry.text
        negatable = negatable and "keep" not in entry.flags
        for pattern in patterns:
            token = needs_tokens(entry, pattern, from_family=from_family, auto=auto)
            self.add(pattern, Rule(label, word, entry.weight, token, negatable))

    @property
    def patterns(self) -> list[str]:
        """The pattern strings, in index order."""
        return list(self.index)
