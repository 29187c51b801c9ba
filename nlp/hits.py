"""The sensitive hits of one message, from the automaton's matches.

A word match stands unless it lies inside an allowlisted word, needs whole words and jieba
disagrees, is negated (categories of ``[sensitive] negatable``) or asked about (categories of
``questions_cancel``). ``A&B`` entries pair their halves; contact detectors add their spans;
overlapping hits of a category merge into one.
"""

from __future__ import annotations

import functools
from typing import Final, NamedTuple

from nlp.context import NEGATION_REACH, Context
from nlp.matcher import Half, Match, Parts
from nlp.normalize import Normalized
from nlp.snapshot import CATEGORY_ORDER, Snapshot

__all__ = ["Hit", "Parts", "contact_hits", "find_hits"]

PAIR_GAP: Final = 8  # characters between the halves of an A&B entry
_COMMAS: Final = "，,、"
_NO_COMMAS: Final = str.maketrans("", "", _COMMAS)
_new: Final = tuple.__new__  # Hit(...) runs a Python __new__: twice the cost, per hit


class Hit(NamedTuple):
    """A sensitive span: ``text[start:end]`` of the original message is what matched."""

    category: str
    word: str  # the list entry (families by name) or the detector's name (手机号, 网址...)
    start: int
    end: int


def _stands(snap: Snapshot, n: Normalized, m: Match, words: list[Match]) -> bool:
    """Does a word match with a condition (``_CONDITIONAL``) survive jieba's boundaries,
    negation and questions? (The allowlist is checked before.)"""
    rule = m.rule
    if rule.clause and not _whole_clause(n.text, m.start, m.end):
        return False
    if rule.token:
        if _covered(m, words):
            return False  # 加我微 inside 加我微信: the longer hit stands for both, no jieba
        if not snap.context.whole_words(n.text, m.start, m.end):
            return False
    if rule.negatable and _negated(snap.context, n.text, m.start):
        return False
    return not (rule.label in snap.asked and snap.context.asked(n.text, m.start, m.end))


def _standing(snap: Snapshot, n: Normalized, parts: Parts) -> list[Hit]:
    """The hits of the word matches that stand (see the module docstring)."""
    words, allowed = parts.words, parts.allowed
    asked = snap.asked
    starts = n.starts
    hits: list[Hit] = []
    for m in words:
        rule, start, end = m
        if allowed and any(a <= start and end <= b for a, b in allowed):
            continue  # inside an allowlisted word
        if (rule.clause or rule.token or rule.negatable or rule.label in asked) and not _stands(
            snap, n, m, words
        ):
            continue
        if starts is not None:
            start, end = n.span(start, end)
        hits.append(_new(Hit, (rule.label, rule.word, start, end)))
    return hits


def _negated(context: Context, text: str, start: int) -> bool:
    """``Context.negated``, with its usual answer (no negation word close before) inline."""
    if context.first_chars.isdisjoint(text[max(0, start - NEGATION_REACH) : start]):
        return False
    return context.negated(text, start)


def _whole_clause(text: str, start: int, end: int) -> bool:
    """Does the match fill its clause (boundaries or the text's ends on both sides)?"""
    return (start == 0 or not text[start - 1].isalnum()) and (
        end == len(text) or not text[end].isalnum()
    )


def _covered(m: Match, words: list[Match]) -> bool:
    """Is ``m`` inside a longer match of its category that needs no jieba?"""
    return any(
        o.rule.label == m.rule.label
        and not o.rule.token
        and o.start <= m.start
        and m.end <= o.end
        and o.end - o.start > m.end - m.start
        for o in words
    )


def _pairs(snap: Snapshot, n: Normalized, halves: list[Half]) -> list[Hit]:
    """``A&B`` entries: A, then B at most ``PAIR_GAP`` characters later in the same clause.

    For each occurrence of a second half and each pair it completes, the first occurrence of
    that pair's first half that fits (and is not negated) makes the hit.
    """
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
                if rule.negatable and _negated(snap.context, n.text, first.start):
                    continue
                out.append(Hit(rule.label, rule.word, *n.span(first.start, second.end)))
                wanted &= ~bit
            if not wanted:
                break
    return out


def _one_clause(gap: str) -> bool:
    """Words between the halves, with at most one comma: 给个好评, 返你10块."""
    commas = gap.count("，") + gap.count(",") + gap.count("、")  # _COMMAS
    return commas <= 1 and (len(gap) == commas or gap.translate(_NO_COMMAS).isalnum())


def contact_hits(snap: Snapshot, n: Normalized) -> tuple[Hit, ...]:
    """The hits of a message the automaton found nothing in: its contacts, if any."""
    contacts = snap.contacts.find(n, ())
    if not contacts:
        return ()
    return find_hits(snap, n, Parts([], [], [], [], []))


def find_hits(snap: Snapshot, n: Normalized, parts: Parts) -> tuple[Hit, ...]:
    """The sensitive hits of one message: words that stand, pairs, contacts; deduplicated."""
    hits = _standing(snap, n, parts) if parts.words else []
    if parts.halves:
        hits.extend(_pairs(snap, n, parts.halves))
    contacts = snap.contacts.find(n, parts.cues)
    if not contacts:
        return _dedupe(hits, snap.categories)
    links = [(c.start, c.end) for c in contacts if c.is_link]
    hits.extend(Hit("diversion", c.word, c.start, c.end) for c in contacts if c.word != "allowed")
    if links:  # a word inside a link is part of the link: the link is the hit, or allowed
        hits = [
            h
            for h in hits
            if (h.start, h.end) in links or not any(a <= h.start and h.end <= b for a, b in links)
        ]
    return _dedupe(hits, snap.categories)


@functools.lru_cache(maxsize=16)
def _ranks(categories: tuple[str, ...]) -> dict[str, int]:
    """Category → rank: the product's categories first, then the lists' own."""
    return {c: i for i, c in enumerate((*CATEGORY_ORDER, *categories))}


def _order(hit: Hit) -> tuple[int, int, str]:
    return hit.start, -hit.end, hit.word


def _merge(hits: list[Hit]) -> list[Hit]:
    """Overlapping hits of one category (sorted by ``_order``) merge, named by the longest."""
    out = [hits[0]]
    for hit in hits[1:]:
        last = out[-1]
        if hit.start < last.end:
            longest = last if last.end - last.start >= hit.end - hit.start else hit
            out[-1] = _new(Hit, (last.category, longest.word, last.start, max(last.end, hit.end)))
        else:
            out.append(hit)
    return out


def _dedupe(hits: list[Hit], categories: tuple[str, ...]) -> tuple[Hit, ...]:
    """One hit per span: overlapping hits of a category merge into one (named by the longest);
    a span inside a hit of an earlier category is that hit's (带你投资…躺赚 is fraud, and the
    躺赚 inside it is not an ad-law claim of its own)."""
    if len(hits) < 2:  # noqa: PLR2004 - nothing to merge
        return tuple(hits)
    hits = sorted(hits, key=_order)
    category = hits[0].category
    if all(h.category == category for h in hits):  # one category: its merged spans are apart
        return tuple(_merge(hits))
    rank = _ranks(categories)
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
