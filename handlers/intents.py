"""Intents: what a customer says they want (price, purchase, complaint, unsubscribe, human,
appointment) tags them, prompts their staff member, marks do-not-disturb, escalates.

Customers' messages reach siyu as ``ChatMessageEvent`` (微信客服 and archived chats); staff
members' messages carry no customer intent.
"""

from __future__ import annotations

from bot.conversations.events import ChatMessageEvent
from bot.deps import Deps
from bot.dispatch import Router
from bot.intake.corp_tags import ensure_tags
from bot.moderation.analyzer import rules_of
from bot.moderation.intents import act

router = Router(name="intents")


def from_customer(event: ChatMessageEvent) -> bool:
    """Written by a customer (in a one-to-one chat, a group or 微信客服)."""
    return event.message.from_customer and bool(event.message.text.strip())


@router.on(ChatMessageEvent, from_customer)
async def act_on_intent(event: ChatMessageEvent, deps: Deps) -> None:
    """Recognise the message's intent and do what the rules say for it."""
    analyzer = deps.analyzer
    if analyzer is None:
        return
    analysis = analyzer.analyze(event.message.text)
    if analysis.intent is not None:
        await act(deps, event.message, analysis.intent, analysis.score,
                  rules=rules_of(deps.settings.moderation), ensure=ensure_tags)  # fmt: skip
