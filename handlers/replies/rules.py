"""Quick replies and FAQ answers as rule sets of the rules store, and their components."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from bot.deps import ComponentKey
from bot.store.rules_files import model_rule_set
from bot.store.rules_live import LiveRules, RuleSet
from handlers.replies.models import Faq, QuickReplies

CONFIG: Final = Path(__file__).resolve().parents[2] / "config"
# The live 话术库 and FAQ answers of this process.
QUICK_REPLIES: Final = ComponentKey[LiveRules[QuickReplies]]("quick_replies")
FAQ: Final = ComponentKey[LiveRules[Faq]]("faq")


def quick_reply_rule_set(defaults_file: Path | None = None) -> RuleSet[QuickReplies]:
    """The 话术库, seeded from config/replies.toml."""
    return model_rule_set(
        "replies",
        QuickReplies,
        lambda rules: rules,
        lambda: defaults_file or CONFIG / "replies.toml",
    )


def faq_rule_set(defaults_file: Path | None = None) -> RuleSet[Faq]:
    """FAQ answers, seeded from config/faq.toml."""
    return model_rule_set(
        "faq", Faq, lambda rules: rules, lambda: defaults_file or CONFIG / "faq.toml"
    )
