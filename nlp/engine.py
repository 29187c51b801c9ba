"""The Analyzer: one message in, categorized hits (original offsets) and an intent out.

The lists are compiled into an immutable ``Snapshot``; ``analyze`` reads the current snapshot
once, so a reload (built off to the side, in a thread) swaps a single reference and a message
is always analyzed against one whole version of the lists. A bad list file raises
``ListError`` from ``reload`` (``maybe_reload`` logs it) and the old snapshot stays.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final, NamedTuple

from nlp.errors import ListError
from nlp.intent import IntentClassifier
from nlp.lists import DEFAULT_DIR, fingerprint
from nlp.matcher import Match
from nlp.normalize import Normalized, normalize
from nlp.segment import Segmenter
from nlp.snapshot import (
    ALLOW,
    CATEGORY_ORDER,
    CUE_PREFIX,
    INTENT_PREFIX,
    Snapshot,
    build_snapshot,
)

logger = logging.getLogger(__name__)

MAX_CHARS: Final = 20_000  # beyond this a message is analyzed up to here (Analysis.truncated)
PAIR_GAP: Final = 8  # characters between the halves of an A&B entry
_COMMAS: Final = "，,、"
_NO_COMMAS: Final = str.maketrans("", "", _COMMAS)
MAX_MATCHES: Final = 1000  # automaton matches examined per message: bounds the worst case
INTENT_CHARS: Final = 500  # an intent is stated early; the rest of a long message is detail


class Hit(NamedTuple):
    """A sensitive span: ``text[start:end]`` of the original message is what matched."""

    category: str
    word: str  # the list entry (families by name) or the detector's name (手机号, 网址...)
    start: int
    end: int


class Analysis(NamedTuple):
    """What a message contains: sensitive hits in order, and its intent (or None)."""

    sensitive: tuple[Hit, ...]
    intent: str | None
    score: float
    truncated: bool = False

    @property
    def categories(self) -> frozenset[str]:
        """The sensitive categories hit."""
        return frozenset(hit.category for hit in self.sensitive)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``siyu nlp scan`` (without the text)."""
        return {
            "sensitive": [
                {"category": h.category, "word": h.word, "start": h.start, "end": h.end}
                for h in self.sensitive
            ],
            "intent": self.intent,
            "score": self.score,
        }


class Analyzer:
    """Sensitive words, contacts and intents over hot-reloadable lists."""

    def __init__(
        self,
        lists_dir: Path | str | None = None,
        *,
        segmenter: Segmenter | None = None,
        classifier: IntentClassifier | None = None,
        max_chars: int = MAX_CHARS,
        poll_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = Path(lists_dir) if lists_dir is not None else DEFAULT_DIR
        self._segmenter = segmenter if segmenter is not None else Segmenter()
        self._classifier = classifier
        self._max_chars = max_chars
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._build_lock = threading.Lock()
        self._snapshot = build_snapshot(self.directory, self._segmenter)
        self._checked_at = clock()
        self._failed: tuple[tuple[str, int, int], ...] | None = None
        self._worker: threading.Thread | None = None
        self.last_error: str | None = None

    @property
    def snapshot(self) -> Snapshot:
        """The lists in use now."""
        return self._snapshot

    def analyze(self, text: str) -> Analysis:
        """Analyze one message; never raises on any string, bounded in time by ``max_chars``."""
        snap = self._snapshot  # one read: the whole message sees one version of the lists
        truncated = len(text) > self._max_chars
        n = normalize(text[: self._max_chars] if truncated else text)
        matches = snap.matcher.find(n)
        parts = _Parts.of(matches if len(matches) <= MAX_MATCHES else matches[:MAX_MATCHES])
        hits = self._sensitive(snap, n, parts) if n.text else ()
        if self._classifier is not None:
            intent = self._classifier.classify(n)
        elif len(n.original) <= INTENT_CHARS:
            intent = snap.intents.classify(n, parts.intents_outside_allowed())
        else:  # an intent is stated early; the rest of a long message is detail
            intent = snap.intents.classify(normalize(n.original[:INTENT_CHARS]))
        if intent is None:
            return Analysis(hits, None, 0.0, truncated)
        return Analysis(hits, intent.name, intent.score, truncated)

    def _sensitive(self, snap: Snapshot, n: Normalized, parts: _Parts) -> tuple[Hit, ...]:
        hits: list[Hit] = []
        if parts.words:
            hits = [
                Hit(m.rule.label, m.rule.word, *n.span(m.start, m.end))
                for m in parts.words
                if _stands(snap, n, m, parts.allowed, parts.words)
            ]
        if parts.halves:
            hits.extend(_pairs(snap, n, parts.halves))
        contacts = snap.contacts.find(n, parts.cues)
        if not contacts:
            return _dedupe(hits, snap.categories)
        links = [(c.start, c.end) for c in contacts if c.is_link]
        hits.extend(
            Hit("diversion", c.word, c.start, c.end) for c in contacts if c.word != "allowed"
        )
        if links:  # a word inside a link is part of the link: the link is the hit, or allowed
            hits = [
                h
                for h in hits
                if (h.start, h.end) in links
                or not any(a <= h.start and h.end <= b for a, b in links)
            ]
        return _dedupe(hits, snap.categories)

    def reload(self) -> Snapshot:
        """Rebuild from the lists directory now and swap; on ``ListError`` keep the old one."""
        with self._build_lock:
            try:
                snap = build_snapshot(self.directory, self._segmenter)
            except ListError as exc:
                self.last_error = str(exc)
                self._failed = _fingerprint_or_none(self.directory)
                raise
            self._snapshot = snap  # the swap: one reference assignment
            self.last_error = None
            self._failed = None
            logger.info(
                "nlp lists reloaded: %s patterns in %.3fs", snap.patterns, snap.build_seconds
            )
            return snap

    def maybe_reload(self, *, background: bool = True) -> bool:
        """If a list file changed since the snapshot, rebuild (in a thread); True if started.

        Checks the files at most every ``poll_seconds``; a version that failed to load is not
        retried until a file changes again.
        """
        now = self._clock()
        if now - self._checked_at < self._poll_seconds or self.reloading:
            return False
        self._checked_at = now
        current = _fingerprint_or_none(self.directory)
        if current in {self._snapshot.fingerprint, self._failed}:
            return False
        if not background:
            self._reload_logged()
            return True
        self._worker = threading.Thread(target=self._reload_logged, name="nlp-reload", daemon=True)
        self._worker.start()
        return True

    @property
    def reloading(self) -> bool:
        """A background reload is running."""
        return self._worker is not None and self._worker.is_alive()

    def wait_reload(self, timeout: float | None = None) -> None:
        """Wait for a background reload to finish (tests, CLI)."""
        if self._worker is not None:
            self._worker.join(timeout)

    def _reload_logged(self) -> None:
        try:
            self.reload()
        except ListError as exc:
            logger.error("nlp lists not reloaded, the previous ones stay in use: %s", exc)


class _Parts(NamedTuple):
    """The automaton's matches of one message, by what they mean."""

    words: list[Match]  # sensitive words
    cues: list[Match]  # WeChat/QQ words before a contact
    halves: list[Match]  # halves of A&B entries
    intents: list[Match]  # intent cues
    allowed: list[tuple[int, int]]  # spans of allowlisted words

    @classmethod
    def of(cls, matches: list[Match]) -> _Parts:
        parts = cls([], [], [], [], [])
        for m in matches:
            label = m.rule.label
            first = label[:1]
            if m.rule.part:
                parts.halves.append(m)
            elif first == INTENT_PREFIX:
                parts.intents.append(m)
            elif first != CUE_PREFIX:
                parts.words.append(m)
            elif label == ALLOW:
                parts.allowed.append((m.start, m.end))
            else:
                parts.cues.append(m)
        return parts

    def intents_outside_allowed(self) -> list[Match]:
        """Intent cues not inside an allowlisted word (垃圾 in 垃圾袋 is no complaint)."""
        if not self.allowed or not self.intents:
            return self.intents
        return [
            m for m in self.intents if not any(a <= m.start and m.end <= b for a, b in self.allowed)
        ]


def _stands(
    snap: Snapshot, n: Normalized, m: Match, allowed: list[tuple[int, int]], words: list[Match]
) -> bool:
    """Does a word match survive the allowlist, jieba's boundaries and negation?"""
    if any(a <= m.start and m.end <= b for a, b in allowed):
        return False
    if m.rule.token:
        if _covered(m, words):
            return False  # 加我微 inside 加我微信: the longer hit stands for both, no jieba
        if not snap.context.whole_words(n.text, m.start, m.end):
            return False
    if m.rule.negatable and snap.context.negated(n.text, m.start):
        return False
    return not (m.rule.label in snap.asked and snap.context.asked(n.text, m.start, m.end))


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


def _pairs(snap: Snapshot, n: Normalized, halves: list[Match]) -> list[Hit]:
    """``A&B`` entries: A, then B at most ``PAIR_GAP`` characters later in the same clause."""
    out = []
    firsts = [m for m in halves if m.rule.part == 1]
    for second in (m for m in halves if m.rule.part == 2):  # noqa: PLR2004
        for first in firsts:
            rule = first.rule
            if (rule.label, rule.word) != (second.rule.label, second.rule.word):
                continue
            gap = n.text[first.end : second.start]
            if first.end > second.start or len(gap) > PAIR_GAP or not _one_clause(gap):
                continue
            if rule.negatable and snap.context.negated(n.text, first.start):
                continue
            out.append(Hit(rule.label, rule.word, *n.span(first.start, second.end)))
            break
    return out


def _one_clause(gap: str) -> bool:
    """Words between the halves, with at most one comma: 给个好评, 返你10块."""
    commas = sum(gap.count(c) for c in _COMMAS)
    return commas <= 1 and (len(gap) == commas or gap.translate(_NO_COMMAS).isalnum())


def _fingerprint_or_none(directory: Path) -> tuple[tuple[str, int, int], ...] | None:
    try:
        return fingerprint(directory)
    except OSError:
        return None


def _dedupe(hits: list[Hit], categories: tuple[str, ...]) -> tuple[Hit, ...]:
    """One hit per span: overlapping hits of a category merge into one (named by the longest);
    a span that two categories match goes to the earlier category."""
    if len(hits) < 2:  # noqa: PLR2004 - nothing to merge
        return tuple(hits)
    rank = {c: i for i, c in enumerate((*CATEGORY_ORDER, *categories))}
    merged: dict[str, list[Hit]] = {}
    for hit in sorted(hits, key=lambda h: (h.start, -h.end, h.word)):
        group = merged.setdefault(hit.category, [])
        if group and hit.start < group[-1].end:
            last = group[-1]
            longest = last if last.end - last.start >= hit.end - hit.start else hit
            group[-1] = Hit(last.category, longest.word, last.start, max(last.end, hit.end))
        else:
            group.append(hit)
    kept: dict[tuple[int, int], Hit] = {}
    for hit in sorted(
        (h for g in merged.values() for h in g), key=lambda h: rank.get(h.category, len(rank))
    ):
        kept.setdefault((hit.start, hit.end), hit)
    return tuple(
        sorted(kept.values(), key=lambda h: (h.start, h.end, rank.get(h.category, len(rank))))
    )
