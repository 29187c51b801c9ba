"""A compiled, immutable snapshot of the lists: what the analyzer matches with."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from nlp.compile import ALLOW, CUE_PREFIX, INTENT_PREFIX, QUESTION, PatternTable, Rule, pause
from nlp.contacts import ContactDetector
from nlp.context import Context
from nlp.intent import RuleIntents
from nlp.lists import Lists, load_lists, parse_lists
from nlp.matcher import Matcher
from nlp.normalize import normalize
from nlp.segment import Segmenter

__all__ = [
    "ALLOW",
    "CATEGORY_ORDER",
    "CUE_PREFIX",
    "INTENT_PREFIX",
    "Snapshot",
    "build_snapshot",
    "compile_lists",
]
# The categories the product ships, most important first: a span that two categories match
# is reported once, under the earlier one.
CATEGORY_ORDER: Final = ("diversion", "fraud", "ad_law", "abuse")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything compiled from one version of the lists directory."""

    directory: Path
    fingerprint: tuple[tuple[str, int, int], ...]
    matcher: Matcher  # sensitive words, allowlist, contact cues and intent cues
    intents: RuleIntents  # with its own automaton too, for use on its own
    contacts: ContactDetector
    context: Context
    categories: tuple[str, ...]
    build_seconds: float
    asked: frozenset[str] = frozenset()  # categories a question about the hit cancels

    @property
    def patterns(self) -> int:
        """How many distinct patterns the sensitive automaton holds."""
        return self.matcher.size


def build_snapshot(directory: Path, segmenter: Segmenter) -> Snapshot:
    """Read and compile ``directory``; raises ``ListError`` and changes nothing on a bad file."""
    with _no_collection():
        return _build(load_lists(directory), directory, segmenter)


def compile_lists(files: Mapping[str, str], where: str, segmenter: Segmenter) -> Snapshot:
    """Compile lists given as their files' texts (relative path → text), e.g. from a store.

    Raises ``ListError`` (naming ``where`` and the file) on a bad file.
    """
    with _no_collection():
        return _build(parse_lists(files, where), Path(where), segmenter)


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """A build allocates a few hundred thousand small objects that all live on: collecting
    during the build is wasted work (a third of it). Collection resumes after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(lists: Lists, directory: Path, segmenter: Segmenter) -> Snapshot:
    started = time.perf_counter()
    pause()
    options = lists.options
    stop = options.sound_stop_chars
    table = PatternTable()
    words: set[str] = set()
    for category, entries in sorted(lists.sensitive.items()):
        negatable = category in options.negatable
        words |= table.add_entries(
            category, entries, lists.families, negatable=negatable, stop_chars=stop
        )
        pause()
    words |= table.add_entries(ALLOW, lists.allow, lists.families, negatable=False)
    _add_contact_cues(table, lists, stop)
    intent_table = PatternTable()
    for intent, entries in sorted(lists.intents.items()):
        for target, label in ((intent_table, intent), (table, INTENT_PREFIX + intent)):
            words |= target.add_entries(
                label, entries, lists.families, negatable=True, stop_chars=stop, auto_token=False
            )
    for marker in options.question_markers:  # found in the same pass as the cues
        if pattern := normalize(marker).text:
            table.add(pattern, Rule(QUESTION, marker))
    segmenter.add_words(sorted(words))  # one automaton of the words it did not know yet
    pause()
    context = Context.build(segmenter, options.negators, options.fillers)
    order = options.intent_order or tuple(sorted(lists.intents))
    categories = tuple(sorted(lists.sensitive, key=_category_rank))
    matcher = Matcher(table)  # the automaton's build holds the GIL (~70 ms for 70,000 patterns)
    pause()
    return Snapshot(
        directory=directory,
        fingerprint=lists.fingerprint,
        matcher=matcher,
        intents=RuleIntents(
            Matcher(intent_table),
            context,
            order,
            options.min_score,
            (options.question_markers, options.question_bonus),
        ),
        contacts=ContactDetector(options.allowed_domains, options.not_phone_before),
        context=context,
        categories=categories,
        build_seconds=time.perf_counter() - started,
        asked=options.asked,
    )


def _category_rank(category: str) -> tuple[int, str]:
    known = CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else len(CATEGORY_ORDER)
    return known, category


def _add_contact_cues(table: PatternTable, lists: Lists, stop: str) -> None:
    """WeChat and QQ words: a number or id right after one of them is a contact."""
    for family in lists.families.values():
        if family.contact is None:
            continue
        for spelling in family.spellings(evasive_only=False, stop_chars=stop):
            pattern = normalize(spelling).text
            if len(pattern) >= 2:  # noqa: PLR2004
                table.add(pattern, Rule(CUE_PREFIX + family.contact, family.name))
