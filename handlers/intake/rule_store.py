"""The live intake rules in Redis: seeded from the defaults file when Redis has none.

Rules are one JSON document, replaced as a whole, so a reader never sees half an edit.
Parsing is memoised on the document's text, and a process reuses what it read for
``cache_seconds`` (1 s by default): every add event has several handlers reading the rules,
and an edit made by another process shows within that second. A ``put`` in this process
shows at once.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.store import keys
from handlers.intake.rules import IntakeRules, load_rules_file


def version_of(document: str) -> str:
    """A stored document's version: its digest (an edit based on another version is stale)."""
    return hashlib.sha256(document.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def parse_rules(document: str) -> IntakeRules:
    """Validate a stored rules document (memoised: the models are frozen)."""
    return IntakeRules.model_validate_json(document)


# Redis key → (monotonic time read, rules): what this process read lately.
_RECENT: dict[str, tuple[float, IntakeRules]] = {}


class IntakeRulesStore:
    """Read and replace one corp's intake rules."""

    def __init__(self, redis: Redis, corp_id: str, defaults_file: Path | None = None,
                 cache_seconds: float = 1.0) -> None:  # fmt: skip
        self._redis = redis
        self._key = keys.intake_rules(corp_id)
        self._defaults_file = defaults_file
        self._cache_seconds = cache_seconds

    async def get(self) -> IntakeRules:
        """The live rules; the defaults are stored first if there are none yet."""
        recent = _RECENT.get(self._key)
        if recent is not None and time.monotonic() - recent[0] < self._cache_seconds:
            return recent[1]
        rules = await self._read()
        _RECENT[self._key] = (time.monotonic(), rules)
        return rules

    async def _read(self) -> IntakeRules:
        document = await self._redis.get(self._key)
        if document is None:
            defaults = await asyncio.to_thread(load_rules_file, self._defaults_file)
            await self._redis.set(self._key, defaults.model_dump_json(), nx=True)
            document = await self._redis.get(self._key)
        return parse_rules(str(document))

    async def versioned(self) -> tuple[IntakeRules, str]:
        """The live rules, read now (no cache), and their version."""
        document = await self._redis.get(self._key)
        if document is None:
            await self._read()  # stores the defaults
            document = await self._redis.get(self._key)
        return parse_rules(str(document)), version_of(str(document))

    async def put_if(self, rules: IntakeRules, version: str) -> bool:
        """Replace the live rules if they are still at ``version``; False if someone changed
        them since (the caller shows a conflict instead of overwriting their edit)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(self._key)
                current = await pipe.get(self._key)
                if current is None or version_of(str(current)) != version:
                    return False
                pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                pipe.set(self._key, rules.model_dump_json())
                await pipe.execute()
            except WatchError:
                return False
        _RECENT.pop(self._key, None)
        return True

    async def put(self, rules: IntakeRules) -> None:
        """Replace the live rules."""
        await self._redis.set(self._key, rules.model_dump_json())
        _RECENT.pop(self._key, None)

    async def reset(self) -> IntakeRules:
        """Replace the live rules with the defaults file's."""
        defaults = await asyncio.to_thread(load_rules_file, self._defaults_file)
        await self.put(defaults)
        return defaults
