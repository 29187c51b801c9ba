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
from nlp.hits import Hit, Parts, contact_hits, find_hits
from nlp.intent import IntentClassifier
from nlp.lists import DEFAULT_DIR, fingerprint
from nlp.normalize import normalize
from nlp.segment import Segmenter
from nlp.snapshot import Snapshot, build_snapshot

logger = logging.getLogger(__name__)

MAX_CHARS: Final = 20_000  # beyond this a message is analyzed up to here (Analysis.truncated)
MAX_MATCHES: Final = 1000  # automaton matches examined per message: bounds the worst case
INTENT_CHARS: Final = 500  # an intent is stated early; the rest of a long message is detail
_new: Final = tuple.__new__  # Analysis(...) runs a Python __new__: twice the cost, per message


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
        snapshot: Snapshot | None = None,
    ) -> None:
        """``snapshot``: lists compiled elsewhere (``nlp.snapshot.compile_lists``), used instead
        of building from ``lists_dir``."""
        self.directory = Path(lists_dir) if lists_dir is not None else DEFAULT_DIR
        self._segmenter = segmenter if segmenter is not None else Segmenter()
        self._classifier = classifier
        self._max_chars = max_chars
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._build_lock = threading.Lock()
        self._snapshot = snapshot or build_snapshot(self.directory, self._segmenter)
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
        parts = snap.matcher.scan(n, MAX_MATCHES)
        if parts is None:  # most messages: only contacts to look for
            hits = contact_hits(snap, n) if n.text else ()
            if self._classifier is None:
                return _new(Analysis, (hits, None, 0.0, truncated))
            parts = Parts([], [], [], [], [])
        else:
            hits = find_hits(snap, n, parts)
        if self._classifier is not None:
            intent = self._classifier.classify(n)
        elif not parts.intents:  # most messages: no cue, no intent, nothing more to do
            return _new(Analysis, (hits, None, 0.0, truncated))
        elif len(n.original) <= INTENT_CHARS:
            intent = snap.intents.classify(n, parts.intents_outside_allowed(), parts.asks)
        else:  # an intent is stated early; the rest of a long message is detail
            intent = snap.intents.classify(normalize(n.original[:INTENT_CHARS]))
        if intent is None:
            return _new(Analysis, (hits, None, 0.0, truncated))
        return _new(Analysis, (hits, intent.name, intent.score, truncated))

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


def _fingerprint_or_none(directory: Path) -> tuple[tuple[str, int, int], ...] | None:
    try:
        return fingerprint(directory)
    except OSError:
        return None
