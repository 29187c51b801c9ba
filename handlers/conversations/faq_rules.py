"""The ``faq`` rule set: the bot's answers as a versioned document of the rules store.

Operators change it through ``/api/v1/rules/faq`` (or ``siyu rules import``); every process
picks the new version up within a poll (bot/store/rules_live.py), no restart. An empty store
is seeded from config/faq.toml (or the file ``kf.faq_file`` names).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from bot.store.rules_files import model_rule_set
from bot.store.rules_live import RuleSet
from handlers.conversations.faq import FaqBook, FaqDocument

NAME: Final = "faq"
SEED_FILE: Final = Path(__file__).resolve().parents[2] / "config" / "faq.toml"


def faq_rule_set(seed_file: Path | None = None) -> RuleSet[FaqBook]:
    """The bot's FAQ, seeded from ``seed_file`` (config/faq.toml by default)."""
    return model_rule_set(NAME, FaqDocument, FaqBook, lambda: seed_file or SEED_FILE)
