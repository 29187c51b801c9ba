"""Text understanding: normalization, sensitive words, contacts, intents.

Pure and synchronous; imports nothing of siyu. Handlers hold one ``Analyzer`` (built at
start-up: it loads jieba's dictionary and compiles the lists) and call ``analyze(text)`` per
message and ``maybe_reload()`` now and then.
"""
# ruff: noqa: E402 - the check of the compiled modules runs before anything imports them

from nlp.native import ensure_fresh

ensure_fresh()  # compiled hot modules (python -m nlp.build_native) only if built from these sources

from nlp.engine import Analysis, Analyzer
from nlp.errors import ListError
from nlp.hits import Hit
from nlp.intent import Intent, IntentClassifier
from nlp.lists import DEFAULT_DIR
from nlp.normalize import Normalized, normalize
from nlp.segment import Segmenter
from nlp.snapshot import Snapshot

__all__ = [
    "DEFAULT_DIR",
    "Analysis",
    "Analyzer",
    "Hit",
    "Intent",
    "IntentClassifier",
    "ListError",
    "Normalized",
    "Segmenter",
    "Snapshot",
    "normalize",
]
