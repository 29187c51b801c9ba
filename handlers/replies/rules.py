"""Quick replies (话术库) as a rule set of the rules store, and its component. (FAQ answers are
the 微信客服 bot's rule set: handlers/conversations/faq_rules.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from bot.deps import ComponentKey
from bot.store.rules_files import model_rule_set
from bot.store.rules_live import LiveRules, RuleSet
from handlers.replies.models import QuickReplies

CONFIG: Final = Path(__file__).resolve().parents[2] / "config"
# The live 话术库 of this process.
QUICK_REPLIES: Final = ComponentKey[LiveRules[QuickReplies]]("quick_replies")


def quick_reply_rule_set(defaults_file: Path | None = None) -> RuleSet[QuickReplies]:
    """The 话术库, seeded from config/replies.toml."""
    return model_rule_set(
        "replies",
        QuickReplies,
        lambda rules: rules,
        lambda: defaults_file or CONFIG / "replies.toml",
    )
