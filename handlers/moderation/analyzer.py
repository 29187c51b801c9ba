"""The Analyzer and the moderation rules of a process: components that follow the store.

Two rule sets: ``keywords`` (the word lists, families, allowlist, intents and settings of
config/nlp, kept as their files' texts so comments and flags survive) and ``moderation``
(reviewers, tags, intent actions: config/moderation.toml). Compiling the lists takes about
0.2 s (jieba's dictionary is read once per process by nlp); ``Analyzers`` keeps the last
compiled lists, so apps of one test session with the same lists share one Analyzer.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from bot.deps import ComponentKey, Deps
from bot.store.rules_files import model_rule_set
from bot.store.rules_live import LiveRules, RuleSet, RulesInvalid
from config.settings import ModerationSettings
from handlers.moderation.rules import DEFAULT_RULES_FILE, ModerationRules
from nlp import DEFAULT_DIR, Analyzer, ListError, Segmenter
from nlp.lists import parse_lists, read_files
from nlp.snapshot import compile_lists

KEYWORDS: Final = "keywords"
LISTS_FOLDER: Final = "nlp"  # the lists' folder in a rules directory (as config/nlp)
# The words and intents matcher, following the keywords rule set; None when moderation is off.
ANALYZER: Final = ComponentKey[LiveRules[Analyzer] | None]("analyzer")
# Reviewers, tags and intent actions, following the moderation rule set.
MODERATION_RULES: Final = ComponentKey[LiveRules[ModerationRules]]("moderation_rules")


async def analyzer_of(deps: Deps) -> Analyzer | None:
    """The process's Analyzer over the live lists, or None when moderation is off."""
    live = deps.get(ANALYZER)
    return None if live is None else await live.current()


async def rules_of(deps: Deps) -> ModerationRules:
    """The live moderation rules."""
    return await deps.get(MODERATION_RULES).current()


def moderation_rule_set(settings: ModerationSettings) -> RuleSet[ModerationRules]:
    """Reviewers, tags and intent actions, seeded from ``[moderation] rules_file``."""
    return model_rule_set(
        "moderation",
        ModerationRules,
        lambda rules: rules,
        lambda: settings.rules_file or DEFAULT_RULES_FILE,
    )


class Analyzers:
    """Builds Analyzers from lists documents; reuses the last one built from equal lists."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._segmenter: Segmenter | None = None
        self._last: tuple[str, Analyzer] | None = None

    def build(self, files: Mapping[str, str]) -> Analyzer:
        """An Analyzer over ``files`` (lists path → text); raises ``RulesInvalid``."""
        digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
        with self._lock:
            if self._last is not None and self._last[0] == digest:
                return self._last[1]
            self._segmenter = self._segmenter or Segmenter()
            try:
                snapshot = compile_lists(files, f"rules {KEYWORDS}", self._segmenter)
            except ListError as exc:
                raise RulesInvalid(str(exc)) from exc
            analyzer = Analyzer(snapshot.directory, segmenter=self._segmenter, snapshot=snapshot)
            self._last = (digest, analyzer)
            return analyzer


def keywords_rule_set(settings: ModerationSettings, analyzers: Analyzers) -> RuleSet[Analyzer]:
    """The word lists as one document ``{"files": {path: text}}``, seeded from config/nlp."""

    def read(directory: Path) -> Any | None:
        folder = directory / LISTS_FOLDER
        if not folder.is_dir():
            return None
        try:
            return _normalize({"files": read_files(folder)})
        except ListError as exc:
            raise RulesInvalid(str(exc)) from exc

    def write(doc: Any, directory: Path) -> None:
        for name, text in doc["files"].items():
            path = directory / LISTS_FOLDER / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    return RuleSet(
        name=KEYWORDS,
        normalize=_normalize,
        compile=lambda doc: analyzers.build(doc["files"]),
        read=read,
        write=write,
        defaults=lambda: {"files": read_files((settings.lists_dir or DEFAULT_DIR).resolve())},
    )


def _normalize(doc: Any) -> Any:
    """A keywords document checked: its shape, each file's syntax (not yet compiled)."""
    files = doc.get("files") if isinstance(doc, dict) else None
    if (
        set(doc or {}) != {"files"}
        or not isinstance(files, dict)
        or not all(isinstance(name, str) and isinstance(text, str) for name, text in files.items())
    ):
        raise RulesInvalid(f'rules {KEYWORDS}: expected {{"files": {{path: text}}}}')
    try:
        parse_lists(files, f"rules {KEYWORDS}")
    except ListError as exc:
        raise RulesInvalid(str(exc)) from exc
    return {"files": dict(sorted(files.items()))}
