"""The straightforward analysis, kept as the oracle of the optimized ``Analyzer.analyze``.

Every rule of every match (``Matcher.find``), sorted by meaning with ``Parts.of``, then the
decisions of ``nlp/hits.py`` and ``RuleIntents.classify`` as they read before they were tuned
for speed (commit 22bd1ef): generators, a ``Match`` per rule, no shortcuts. Normalization, the
contact detectors (run in full, without their early exit) and jieba's context are shared
with the optimized path (they have tests of their own). tests/nlp/test_fastpath.py checks
that both give the same analysis.
"""

from __future__ import annotations

import math
from typing import Final

from nlp import Analysis, Analyzer, Hit
from nlp.compile import QUESTION, Rule
from nlp.engine import INTENT_CHARS, MAX_MATCHES
from nlp.matcher import Half, Match, Parts
from nlp.normalize import Normalized, normalize
from nlp.snapshot import CATEGORY_ORDER, Snapshot

PAIR_GAP: Final = 8
# A cue of no contact kind: it finds nothing itself, and with a cue in the list the detectors
# skip their early exit (no digits, colon, dot...), so the oracle runs every detector.
_NO_CUE: Final = Match(Rule("@none", "none"), 0, 0)
_COMMAS: Final = "，,、"
_NO_COMMAS: Final = str.maketrans("", "", _COMMAS)


def reference_analyze(analyzer: Analyzer, text: str) -> Analysis:
    """What ``analyzer.analyze(text)`` must return, computed the plain way."""
    snap = analyzer.snapshot
    limit = analyzer._max_chars
    truncated = len(text) > limit
    n = normalize(text[:limit] if truncated else text)
    matches = snap.matcher.find(n, MAX_MATCHES)
    parts = Parts.of(matches)
    halves = _halves(snap, matches)
    asks = any(m.rule.label == QUESTION for m in matches)
    hits = find_hits(snap, n, parts, halves)
    if not parts.intents:
        return Analysis(hits, None, 0.0, truncated)
    if len(n.original) <= INTENT_CHARS:
        found = classify(snap, n, parts.intents_outside_allowed(), asks)
    else:
        own = snap.intents.classify(normalize(n.original[:INTENT_CHARS]))
        found = None if own is None else (own.name, own.score)
    if found is None:
        return Analysis(hits, None, 0.0, truncated)
    return Analysis(hits, found[0], found[1], truncated)


def _halves(snap: Snapshot, matches: list[Match]) -> list[Half]:
    """One ``Half`` per pattern occurrence that is a half of ``A&B`` entries."""
    bits = {(r.label, r.word): 1 << i for i, r in enumerate(snap.matcher.pairs)}
    spans: dict[tuple[int, int], list[int]] = {}
    for m in matches:
        if m.rule.part:
            both = spans.setdefault((m.start, m.end), [0, 0])
            both[m.rule.part - 1] |= bits[(m.rule.label, m.rule.word)]
    return [Half(s, e, first, second) for (s, e), (first, second) in spans.items()]


def find_hits(snap: Snapshot, n: Normalized, parts: Parts, halves: list[Half]) -> tuple[Hit, ...]:
    """Words that stand, pairs, contacts; deduplicated."""
    hits = [
        Hit(m.rule.label, m.rule.word, *n.span(m.start, m.end))
        for m in parts.words
        if _stands(snap, n, m, parts.allowed, parts.words)
    ]
    hits.extend(_pairs(snap, n, halves))
    contacts = snap.contacts.find(n, [*parts.cues, _NO_CUE])
    links = [(c.start, c.end) for c in contacts if c.is_link]
    hits.extend(Hit("diversion", c.word, c.start, c.end) for c in contacts if c.word != "allowed")
    if links:
        hits = [
            h
            for h in hits
            if (h.start, h.end) in links or not any(a <= h.start and h.end <= b for a, b in links)
        ]
    return _dedupe(hits, snap.categories)


def _stands(
    snap: Snapshot, n: Normalized, m: Match, allowed: list[tuple[int, int]], words: list[Match]
) -> bool:
    if any(a <= m.start and m.end <= b for a, b in allowed):
        return False
    if m.rule.clause and not _whole_clause(n.text, m.start, m.end):
        return False
    if m.rule.token:
        if _covered(m, words):
            return False
        if not snap.context.whole_words(n.text, m.start, m.end):
            return False
    if m.rule.negatable and snap.context.negated(n.text, m.start):
        return False
    return not (m.rule.label in snap.asked and snap.context.asked(n.text, m.start, m.end))


def _whole_clause(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (
        end == len(text) or not text[end].isalnum()
    )


def _covered(m: Match, words: list[Match]) -> bool:
    return any(
        o.rule.label == m.rule.label
        and not o.rule.token
        and o.start <= m.start
        and m.end <= o.end
        and o.end - o.start > m.end - m.start
        for o in words
    )


def _pairs(snap: Snapshot, n: Normalized, halves: list[Half]) -> list[Hit]:
    out = []
    rules = snap.matcher.pairs
    for second in halves:
        wanted = second.second
        if not wanted:
            continue
        for first in halves:
            common = first.first & wanted
            if not common or first.end > second.start:
                continue
            gap = n.text[first.end : second.start]
            if len(gap) > PAIR_GAP or not _one_clause(gap):
                continue
            while common:
                bit = common & -common
                common ^= bit
                rule = rules[bit.bit_length() - 1]
                if rule.negatable and snap.context.negated(n.text, first.start):
                    continue
                out.append(Hit(rule.label, rule.word, *n.span(first.start, second.end)))
                wanted &= ~bit
            if not wanted:
                break
    return out


def _one_clause(gap: str) -> bool:
    commas = sum(gap.count(c) for c in _COMMAS)
    return commas <= 1 and (len(gap) == commas or gap.translate(_NO_COMMAS).isalnum())


def _merge(hits: list[Hit]) -> list[Hit]:
    out = [hits[0]]
    for hit in hits[1:]:
        last = out[-1]
        if hit.start < last.end:
            longest = last if last.end - last.start >= hit.end - hit.start else hit
            out[-1] = Hit(last.category, longest.word, last.start, max(last.end, hit.end))
        else:
            out.append(hit)
    return out


def _dedupe(hits: list[Hit], categories: tuple[str, ...]) -> tuple[Hit, ...]:
    if not hits:
        return ()
    hits = sorted(hits, key=lambda h: (h.start, -h.end, h.word))
    rank = {c: i for i, c in enumerate((*CATEGORY_ORDER, *categories))}
    unknown = len(rank)
    merged: dict[str, list[Hit]] = {}
    for hit in hits:
        merged.setdefault(hit.category, []).append(hit)
    kept: list[Hit] = []
    for hit in sorted(
        (h for g in merged.values() for h in _merge(g)),
        key=lambda h: rank.get(h.category, unknown),
    ):
        if not any(k.start <= hit.start and hit.end <= k.end for k in kept):
            kept.append(hit)
    return tuple(sorted(kept, key=lambda h: (h.start, h.end, rank.get(h.category, unknown))))


def _confidence(total: float) -> float:
    return round(1.0 - math.pow(0.5, max(total, 0.0)), 4)


def classify(
    snap: Snapshot, n: Normalized, found: list[Match], asks: bool
) -> tuple[str, float] | None:
    """The intent over the shared automaton's cues (labels ``#<intent>``): best total wins."""
    intents = snap.intents
    if not found:
        return None
    bonus = intents._question_bonus if asks else 0.0
    groups: dict[str, list[Match]] = {}
    for match in found:
        groups.setdefault(match.rule.label[1:], []).append(match)
    best: tuple[float, int, str] | None = None
    rank = intents._rank
    for name, matches in groups.items():
        total = bonus + _score(snap, n, matches)
        key = (-total, rank.get(name, len(rank)), name)
        if total >= intents._min_score and (best is None or key < best):
            best = key
    return None if best is None else (best[2], _confidence(-best[0]))


def _cue_stands(snap: Snapshot, n: Normalized, match: Match) -> bool:
    rule: Rule = match.rule
    if rule.token and not snap.context.whole_words(n.text, match.start, match.end):
        return False
    return not (rule.negatable and snap.context.negated(n.text, match.start))


def _score(snap: Snapshot, n: Normalized, matches: list[Match]) -> float:
    """Overlapping cues of one intent count once: the longest, then the heaviest."""
    taken: list[tuple[float, int, int]] = []
    for match in sorted(matches, key=lambda m: (m.start - m.end, -m.rule.weight, m.start)):
        if any(match.start < end and start < match.end for _, start, end in taken):
            continue
        if not _cue_stands(snap, n, match):
            continue
        taken.append((match.rule.weight, match.start, match.end))
    return sum(w for w, _, _ in taken)
