"""Text understanding: normalization, sensitive words, contacts, intents.

Pure and synchronous; imports nothing of siyu. Handlers hold one ``Analyzer`` (built at
start-up: it loads jieba's dictionary and compiles the lists) and call ``analyze(text)`` per
message and ``maybe_reload()`` now and then.
"""

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
