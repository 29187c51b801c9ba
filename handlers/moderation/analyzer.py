"""The Analyzer and the rules of a process: built once, shared, reloaded when files change.

Building an Analyzer loads jieba and compiles the word lists (about a second), so a process
builds one per lists directory and every app it runs shares it (tests start many apps in
one process). It is built in a thread at start-up: the event loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Final

from bot.deps import ComponentKey, Deps
from config.settings import ModerationSettings
from handlers.moderation.rules import ModerationRules, RulesFile
from nlp import DEFAULT_DIR, Analyzer

# The words and intents matcher; None when moderation is off.
ANALYZER: Final = ComponentKey[Analyzer | None]("analyzer")


def analyzer_of(deps: Deps) -> Analyzer | None:
    """The process's Analyzer (built once at start-up), or None when moderation is off."""
    return deps.get(ANALYZER)


@functools.lru_cache(maxsize=4)
def shared_analyzer(lists_dir: Path, poll_seconds: float) -> Analyzer:
    """The process's Analyzer over ``lists_dir`` (raises nlp.ListError on bad lists)."""
    return Analyzer(lists_dir, poll_seconds=poll_seconds)


async def load_analyzer(settings: ModerationSettings) -> Analyzer | None:
    """The Analyzer for these settings (built in a thread), or None when moderation is off."""
    if not settings.enabled:
        return None
    lists_dir = (settings.lists_dir or DEFAULT_DIR).resolve()
    return await asyncio.to_thread(shared_analyzer, lists_dir, settings.reload_seconds)


@functools.lru_cache(maxsize=8)
def _rules_file(path: Path | None, check_seconds: float) -> RulesFile:
    return RulesFile(path, check_seconds)


def rules_of(settings: ModerationSettings) -> ModerationRules:
    """The moderation rules now (the file is re-read when it changed)."""
    return _rules_file(settings.rules_file, settings.reload_seconds).current()
