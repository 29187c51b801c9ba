"""Intents: what a customer says they want (price, purchase, complaint, unsubscribe, human,
appointment) tags them, prompts their staff member, marks do-not-disturb, escalates.

Customers' messages reach siyu as ``ChatMessageEvent`` (微信客服 and archived chats); staff
members' messages carry no customer intent.
"""

from __future__ import annotations

from bot.deps import Deps
from bot.dispatch import Router
from bot.events.chat_messages import ChatMessageEvent
from handlers.customers.corp_tags import ensure_tags
from handlers.moderation.analyzer import analyzer_of, rules_of
from handlers.moderation.intent_actions import act

router = Router(name="intents")


def from_customer(event: ChatMessageEvent) -> bool:
    """Written by a customer (in a one-to-one chat, a group or 微信客服)."""
    return event.message.from_customer and bool(event.message.text.strip())


@router.on(ChatMessageEvent, from_customer)
async def act_on_intent(event: ChatMessageEvent, deps: Deps) -> None:
    """Recognise the message's intent and do what the rules say for it."""
    analyzer = await analyzer_of(deps)
    if analyzer is None:
        return
    analysis = analyzer.analyze(event.message.text)
    if analysis.intent is not None:
        await act(
            deps,
            event.message,
            analysis.intent,
            analysis.score,
            rules=await rules_of(deps),
            ensure=ensure_tags,
        )
