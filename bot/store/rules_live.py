"""A rule set as a process uses it: compiled once, swapped whole when the store's copy moves.

Each concern declares its ``RuleSet`` (how a document is validated, compiled, read from and
written to a rules directory, and its defaults) and the wiring builds one ``LiveRules`` per
set per process. ``current()`` checks the set's version in Redis at most every
``poll_seconds`` (one HGET); when it moved, the new document is compiled in a thread and
then assigned in one step, so a handler sees the old rules or the new ones, never half.
A document that fails to compile is logged and the rules in use stay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from bot.store.rules import RulesStore, StaleVersion

logger = logging.getLogger(__name__)

T = TypeVar("T")
POLL_SECONDS: Final = 0.5  # a change shows in every process within this plus a compile
SEED_ACTOR: Final = "siyu:defaults"


class RulesInvalid(ValueError):
    """A rule set's document or file does not validate (the message says where and why)."""


@dataclass(frozen=True, slots=True)
class RuleSet(Generic[T]):
    """One kind of rules: its name in the store and what turns a document into rules.

    ``normalize``: the validated, canonical document (raises ``RulesInvalid``); ``compile``:
    what handlers use, from a normalized document; ``read``: the document in a rules directory
    (None when it has none for this set); ``write``: export into a directory; ``defaults``:
    the document an empty store is seeded with.
    """

    name: str
    normalize: Callable[[Any], Any]
    compile: Callable[[Any], T]
    read: Callable[[Path], Any | None]
    write: Callable[[Any, Path], None]
    defaults: Callable[[], Any]


class LiveRules(Generic[T]):
    """One rule set, compiled, following the store."""

    def __init__(
        self,
        store: RulesStore,
        rule_set: RuleSet[T],
        *,
        poll_seconds: float = POLL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.rule_set = rule_set
        self._poll_seconds = poll_seconds
        self._monotonic = monotonic
        self._rules: tuple[int, T] | None = None  # (version, compiled): swapped as one
        self._checked_at = 0.0
        self._lock = asyncio.Lock()
        self._looking: asyncio.Task[T] | None = None

    @property
    def name(self) -> str:
        """The rule set's name in the store."""
        return self.rule_set.name

    @property
    def version(self) -> int:
        """The version in use (0 before the first load)."""
        return 0 if self._rules is None else self._rules[0]

    def latest(self) -> T:
        """The rules in use, for synchronous code; starts a look at the store when one is due.

        Raises ``LookupError`` before the first load (``start``).
        """
        if self._rules is None:
            raise LookupError(f"rules {self.name} are not loaded yet: start() them first")
        due = self._monotonic() - self._checked_at >= self._poll_seconds
        if due and (self._looking is None or self._looking.done()):
            self._looking = asyncio.get_running_loop().create_task(self.current())
        return self._rules[1]

    async def start(self) -> T:
        """Load (seeding an empty store with the defaults) and compile."""
        return await self.current()

    async def current(self) -> T:
        """The rules now; the store is asked about a new version at most every poll.

        When a poll is due every caller waits for it (one looks, the others find it done):
        a caller never gets rules older than the store's of a poll ago, also while a new
        version is being compiled.
        """
        rules = self._rules
        due = self._monotonic() - self._checked_at >= self._poll_seconds
        if rules is not None and not due:
            return rules[1]
        async with self._lock:
            if self._rules is None or self._monotonic() - self._checked_at >= self._poll_seconds:
                await self._refresh()
        assert self._rules is not None  # noqa: S101 - _refresh sets it or raises
        return self._rules[1]

    async def _refresh(self) -> None:
        """Look at the store and compile a new version. The look counts as done (the poll's
        clock) only once it is: callers that arrive meanwhile wait for it, not past it."""
        started = self._monotonic()
        try:
            await self._look()
        finally:  # a failed look too: the next one is a poll away (Redis may be down)
            self._checked_at = started

    async def _look(self) -> None:
        if self._rules is not None and await self.store.version(self.name) == self._rules[0]:
            return
        doc, version = await self.store.get(self.name)
        if version == 0:
            doc, version = await self._seed()
        try:
            compiled = await asyncio.to_thread(self.rule_set.compile, doc)
        except (RulesInvalid, ValueError) as exc:
            if self._rules is None:
                raise
            logger.error(
                "rules %s v%s not applied, v%s stays: %s", self.name, version, self._rules[0], exc
            )
            return
        self._rules = (version, compiled)  # the swap: one assignment
        logger.info("rules %s: version %s in use", self.name, version)

    async def seed(self) -> None:
        """Store the defaults if the store has no document yet (without compiling them)."""
        if await self.store.version(self.name) == 0:
            await self._seed()

    async def _seed(self) -> tuple[Any, int]:
        defaults = await asyncio.to_thread(self.rule_set.defaults)
        doc = await asyncio.to_thread(self.rule_set.normalize, defaults)
        try:
            await self.store.put(self.name, doc, 0, SEED_ACTOR, "rules.seed")
        except StaleVersion:
            logger.info("rules %s: seeded by another process", self.name)
        return await self.store.get(self.name)

    async def replace(self, doc: Any, expected_version: int, actor: str) -> int:
        """Validate and store a new document (``StaleVersion`` when it moved); the new version.

        This process uses it at once; the others within a poll.
        """
        normalized = self.rule_set.normalize(doc)
        compiled = await asyncio.to_thread(self.rule_set.compile, normalized)
        version = await self.store.put(self.name, normalized, expected_version, actor)
        async with self._lock:
            if version > self.version:
                self._rules = (version, compiled)
        return version
