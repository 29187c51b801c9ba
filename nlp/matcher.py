"""The compiled multi-pattern automaton over normalized text, with whole-word rules.

ahocorasick_rs (Rust) finds every occurrence of every pattern in one pass; it measured about
7x faster per message than pyahocorasick on a 50,000-word list (BENCHMARKS.md). A pattern
that begins or ends with a Latin letter or digit only counts as a whole word: ``vx`` fires in
``加我vx``, ``vx:abc``, ``v x`` and ``vx123``, never inside ``vxd123``; ``sb`` never in ``sbc``.

What each pattern means is sorted once, when the automaton is built (``Slot``): its sensitive
rules, intent cues, contact cues, whether it is allowlisted, and which ``A&B`` pairs it is a
half of (bits of an int). ``scan`` then hands the analyzer a message's matches already
sorted by meaning, without a Python object per rule for the common halves (好评, 保证).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

import ahocorasick_rs

from nlp.compile import ALLOW, CUE_PREFIX, INTENT_PREFIX, QUESTION, PatternTable, Rule, is_latin
from nlp.normalize import Normalized


class Match(NamedTuple):
    """One rule matched at ``[start, end)`` of the normalized text (a tuple: made by the
    thousand per second, where a frozen dataclass costs several times more)."""

    rule: Rule
    start: int
    end: int


class Half(NamedTuple):
    """A match of a pattern that is a half of ``A&B`` entries: ``first`` and ``second`` are
    bit sets over ``Matcher.pairs``."""

    start: int
    end: int
    first: int
    second: int


class Parts(NamedTuple):
    """The automaton's matches of one message, by what they mean."""

    words: list[Match]  # sensitive words
    cues: list[Match]  # WeChat/QQ words before a contact
    halves: list[Half]  # halves of A&B entries (only when a pair is possible)
    intents: list[Match]  # intent cues
    allowed: list[tuple[int, int]]  # spans of allowlisted words
    asks: bool = False  # a question marker (吗, 多少, ?) is in the message

    @classmethod
    def of(cls, matches: Sequence[Match]) -> Parts:
        """Sort matches by what they mean (halves need the matcher: see ``Matcher.scan``)."""
        parts = cls([], [], [], [], [])
        for m in matches:
            label = m.rule.label
            if label[:1] == INTENT_PREFIX:
                parts.intents.append(m)
            elif label == ALLOW:
                parts.allowed.append((m.start, m.end))
            elif label == QUESTION:
                continue
            elif label[:1] == CUE_PREFIX:
                parts.cues.append(m)
            elif not m.rule.part:
                parts.words.append(m)
        return parts

    def intents_outside_allowed(self) -> list[Match]:
        """Intent cues not inside an allowlisted word (垃圾 in 垃圾袋 is no complaint)."""
        if not self.allowed or not self.intents:
            return self.intents
        return [
            m for m in self.intents if not any(a <= m.start and m.end <= b for a, b in self.allowed)
        ]


WORDS, CUES, INTENTS = 0, 1, 2  # the lists of ``Slot.rules``
_QUESTION: Final = 3  # a pattern that is a question marker and nothing else
_MANY: Final = 255  # a pattern with several meanings (or a half, or an allowed word)


class Slot(NamedTuple):
    """What one pattern means, sorted by kind."""

    rules: tuple[tuple[int, tuple[Rule, ...]], ...]  # (WORDS, CUES or INTENTS, the rules)
    allow: bool
    first: int  # the pairs this pattern is the first half of (bits)
    second: int  # ...and the second half of
    single: tuple[int, Rule] | None  # the one rule of the pattern, if it has only one
    question: bool  # a question marker


def _edge(n: Normalized, before: int, after: int) -> bool:
    """Is there a word boundary between ``text[before]`` and ``text[after]``?"""
    text = n.text
    if before < 0 or after >= len(text):
        return True
    a, b = text[before], text[after]
    if not (is_latin(a) and is_latin(b)):
        return True
    if a.isdigit() != b.isdigit():  # vx123456: the id starts where the letters stop
        return True
    return not n.joined(after)  # noise between them: "vx d"


def _slot(rules: Sequence[Rule], pair_bit: Callable[[Rule], int]) -> Slot:
    """What one pattern means: its rules sorted by kind."""
    kinds: tuple[list[Rule], list[Rule], list[Rule]] = ([], [], [])  # WORDS, CUES, INTENTS
    allow = question = False
    first = second = 0
    for rule in rules:
        label = rule.label
        if label == QUESTION:
            question = True
        elif rule.part == 1:
            first |= pair_bit(rule)
        elif rule.part:
            second |= pair_bit(rule)
        elif label == ALLOW:
            allow = True
        else:
            prefix = label[:1]
            kinds[
                INTENTS if prefix == INTENT_PREFIX else CUES if prefix == CUE_PREFIX else WORDS
            ].append(rule)
    grouped = tuple((kind, tuple(rules)) for kind, rules in enumerate(kinds) if rules)
    single = None
    if len(grouped) == 1 and len(grouped[0][1]) == 1 and not (allow or first or second or question):
        single = (grouped[0][0], grouped[0][1][0])
    return Slot(grouped, allow, first, second, single, question)


def _kind(slot: Slot) -> int:
    """What ``Matcher.scan`` does with a match of the pattern: its one rule's list (WORDS,
    CUES, INTENTS), _QUESTION, or _MANY (read the slot)."""
    if slot.single is not None:
        return slot.single[0]
    if slot.question and not (slot.rules or slot.allow or slot.first or slot.second):
        return _QUESTION
    return _MANY


def _slots(table: PatternTable) -> tuple[list[Slot], list[Rule]]:
    """Sort each pattern's rules by kind; number the ``A&B`` pairs."""
    pairs: dict[tuple[str, str], int] = {}
    pair_rules: list[Rule] = []

    def pair_bit(rule: Rule) -> int:
        key = (rule.label, rule.word)
        if key not in pairs:
            pairs[key] = len(pair_rules)
            pair_rules.append(rule)
        return 1 << pairs[key]

    return [_slot(rules, pair_bit) for rules in table.rules], pair_rules


class Matcher:
    """An immutable automaton and the rules of each pattern."""

    __slots__ = (
        "_automaton",
        "_latin",
        "_rules",
        "_single_kinds",
        "_slots",
        "pairs",
        "size",
    )

    def __init__(self, table: PatternTable) -> None:
        patterns = table.patterns
        self.size = len(patterns)
        self._rules: Sequence[Sequence[Rule]] = table.rules  # the table is not used again
        self._slots, self.pairs = _slots(table)
        # Per pattern, what ``scan`` does with a match of it (one byte: read per match): the
        # list its one rule goes to (that rule is ``_rules[index][0]``), _QUESTION or _MANY.
        self._single_kinds = bytes(map(_kind, self._slots))
        # 1: the pattern starts with a Latin letter or digit, 2: it ends with one.
        self._latin = bytes([is_latin(p[0]) | is_latin(p[-1]) << 1 for p in patterns])
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                patterns, matchkind=ahocorasick_rs.MatchKind.Standard, store_patterns=False
            )
            if patterns
            else None
        )

    def _found(self, n: Normalized, limit: int) -> list[tuple[int, int, int]]:
        """(pattern, start, end) of every match that is a whole word where it has to be."""
        if self._automaton is None or not n.text:
            return []
        found = self._automaton.find_matches_as_indexes(n.text, overlapping=True)
        if len(found) > limit:
            found = found[:limit]
        latin = self._latin
        for index, _, _ in found:
            if latin[index]:
                break
        else:  # no Latin edge: every match stands (most messages)
            return found
        return [
            (index, start, end)
            for index, start, end in found
            if not (latin[index] & 1 and not _edge(n, start - 1, start))
            and not (latin[index] & 2 and not _edge(n, end - 1, end))
        ]

    def find(self, n: Normalized, limit: int = 1 << 30) -> list[Match]:
        """Every rule that matches ``n.text`` as a whole word where it has to."""
        rules = self._rules
        return [
            Match(rule, start, end)
            for index, start, end in self._found(n, limit)
            for rule in rules[index]
        ]

    def scan(self, n: Normalized, limit: int) -> Parts | None:
        """The matches of ``n`` sorted by meaning (at most ``limit`` examined); None: nothing
        that makes a hit or an intent."""
        found = self._found(n, limit)
        if not found:
            return None
        words: list[Match] = []
        cues: list[Match] = []
        intents: list[Match] = []
        lists = (words, cues, intents)
        allowed: list[tuple[int, int]] = []
        kinds = self._single_kinds
        rules_of = self._rules
        new = tuple.__new__  # Match(...) runs a Python __new__: 3x slower, per match
        asks = False
        firsts = seconds = 0
        for index, start, end in found:
            kind = kinds[index]
            if kind <= INTENTS:  # most patterns: one word, one cue or one intent cue
                lists[kind].append(new(Match, (rules_of[index][0], start, end)))
                continue
            if kind == _QUESTION:  # 吗, 怎么: the most frequent patterns of all
                asks = True
                continue
            slot = self._slots[index]
            if slot.question:
                asks = True
            for kind, rules in slot.rules:
                lists[kind].extend([new(Match, (rule, start, end)) for rule in rules])
            if slot.allow:
                allowed.append((start, end))
            firsts |= slot.first
            seconds |= slot.second
        halves = self._halves(found) if firsts & seconds else []  # 好评 alone: no pair
        if not (words or cues or intents or halves):
            return None  # only question marks, allowlisted words or lone halves: nothing to do
        return new(Parts, (words, cues, halves, intents, allowed, asks))

    def _halves(self, found: list[tuple[int, int, int]]) -> list[Half]:
        """The halves of ``A&B`` entries among the matches."""
        slots = self._slots
        return [
            Half(start, end, slots[index].first, slots[index].second)
            for index, start, end in found
            if slots[index].first or slots[index].second
        ]
