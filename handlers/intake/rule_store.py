"""The intake rules as a rule set of the rules store (bot/store/rules.py), and their component.

One document, ``intake``, validated by ``IntakeRules``; defaults from ``[intake] rules_file``
(config/intake.toml). A store that kept the intake rules under their old key (before rules
were data) is migrated once: that document becomes version 1, then the old key goes.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Final

from redis.asyncio import Redis

from bot.deps import ComponentKey
from bot.store import keys
from bot.store.rules import RulesStore, StaleVersion
from bot.store.rules_files import model_rule_set
from bot.store.rules_live import LiveRules, RuleSet
from handlers.intake.rules import DEFAULT_RULES_FILE, IntakeRules

logger = logging.getLogger(__name__)

NAME: Final = "intake"
# The live intake rules of this process (welcome, staff, channels, churn).
INTAKE_RULES: Final = ComponentKey[LiveRules[IntakeRules]]("intake_rules")


def intake_rule_set(defaults_file: Path | None = None) -> RuleSet[IntakeRules]:
    """The intake rule set, seeded from ``defaults_file`` (default: config/intake.toml)."""
    return model_rule_set(
        NAME, IntakeRules, lambda rules: rules, lambda: defaults_file or DEFAULT_RULES_FILE
    )


async def migrate_old_key(redis: Redis, corp_id: str, store: RulesStore) -> bool:
    """Move intake rules kept under the old key into the store (once); True if it did."""
    old_key = keys.intake_rules(corp_id)
    document = await redis.get(old_key)
    if document is None:
        return False
    if await store.version(NAME) == 0:
        rules = IntakeRules.model_validate_json(document)
        try:
            await store.put(
                NAME, rules.model_dump(mode="json"), 0, "siyu:migration", "rules.migrate"
            )
        except StaleVersion:
            logger.info("intake rules: migrated by another process")
    await redis.delete(old_key)
    return True


class IntakeRulesStore:
    """Read and replace the intake rules as a whole (siyu channels rules, the intake routes).

    ``put`` writes over the version read just before: it is the old whole-document API;
    writers that must not lose a concurrent edit use ``LiveRules.replace`` with the version
    they read.
    """

    def __init__(self, live: LiveRules[IntakeRules], actor: str = "api") -> None:
        self._live = live
        self._actor = actor

    async def get(self) -> IntakeRules:
        """The live rules."""
        return await self._live.current()

    async def put(self, rules: IntakeRules) -> None:
        """Replace the live rules (this process uses them at once, the others within 2 s)."""
        version = await self._live.store.version(NAME)
        await self._live.replace(json.loads(rules.model_dump_json()), version, self._actor)

    async def versioned(self) -> tuple[IntakeRules, str]:
        """The live rules, read now, and their version (for an edit that must not be lost)."""
        rules = await self._live.current()
        return rules, str(self._live.version)

    async def put_if(self, rules: IntakeRules, version: str) -> bool:
        """Replace the live rules if they are still at ``version``; False if someone changed
        them since (the caller shows a conflict instead of overwriting their edit)."""
        try:
            await self._live.replace(json.loads(rules.model_dump_json()), int(version), self._actor)
        except StaleVersion:
            return False
        return True

    async def reset(self) -> IntakeRules:
        """Replace the live rules with the defaults file's."""
        defaults = IntakeRules.model_validate(self._live.rule_set.defaults())
        await self.put(defaults)
        return defaults
