"""The live intake rules in Redis: seeded from the defaults file when Redis has none.

Rules are one JSON document, replaced as a whole, so a reader never sees half an edit.
Parsing is memoised on the document's text: every event reads the rules (one GET) but
validates them again only after they changed.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from redis.asyncio import Redis

from bot.intake.rules import IntakeRules, load_rules_file
from bot.store import keys


@functools.lru_cache(maxsize=8)
def parse_rules(document: str) -> IntakeRules:
    """Validate a stored rules document (memoised: the models are frozen)."""
    return IntakeRules.model_validate_json(document)


class IntakeRulesStore:
    """Read and replace one corp's intake rules."""

    def __init__(self, redis: Redis, corp_id: str, defaults_file: Path | None = None) -> None:
        self._redis = redis
        self._key = keys.intake_rules(corp_id)
        self._defaults_file = defaults_file

    async def get(self) -> IntakeRules:
        """The live rules; the defaults are stored first if there are none yet."""
        document = await self._redis.get(self._key)
        if document is None:
            defaults = await asyncio.to_thread(load_rules_file, self._defaults_file)
            await self._redis.set(self._key, defaults.model_dump_json(), nx=True)
            document = await self._redis.get(self._key)
        return parse_rules(str(document))

    async def put(self, rules: IntakeRules) -> None:
        """Replace the live rules."""
        await self._redis.set(self._key, rules.model_dump_json())

    async def reset(self) -> IntakeRules:
        """Replace the live rules with the defaults file's."""
        defaults = await asyncio.to_thread(load_rules_file, self._defaults_file)
        await self.put(defaults)
        return defaults
