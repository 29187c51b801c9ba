"""The sidebar's router: moderation's flags copied onto the customer's flag list.

Moderation records a sensitive hit as an alert (one per message, keyed by the message); it
keeps no list per customer. This router runs after moderation's (handlers/__init__.py) and,
for a customer's message that moderation flagged, keeps the label and the excerpt on the
customer's list (handlers/sidebar/flag_store.py), which the card reads; a message with an
intent (price, complaint...) is kept there too, shortened, so the card shows what the
customer wanted and the 话术库 puts the replies that fit it first.
"""

from __future__ import annotations

from typing import Final

from bot.deps import Deps
from bot.dispatch import Router
from bot.events.chat_messages import ChatMessageEvent
from handlers.sidebar.components import FLAGS
from handlers.sidebar.flag_store import CustomerFlag
from handlers.sidebar.needs import MESSAGE_FLAGS

INTENT_CHARS: Final = 60  # of a message with an intent kept on the card
router = Router(name="sidebar")


def from_a_customer(event: ChatMessageEvent) -> bool:
    """A customer's message in a one-to-one or group chat."""
    return event.message.from_customer and bool(event.message.sender)


@router.on(ChatMessageEvent, from_a_customer)
async def keep_flags(event: ChatMessageEvent, deps: Deps) -> None:
    """Keep moderation's flag of this message (if it flagged it) and its intent (if it has
    one) on the customer's list."""
    message = event.message
    flags = deps.get(MESSAGE_FLAGS)
    found = await flags.flagged(message.key)
    if found is not None:
        label, excerpt = found
        flag = CustomerFlag("sensitive", label, excerpt, message.sent_at, message.key)
        await deps.get(FLAGS).add(message.sender, flag)
    intent = await flags.intent(deps, message.text) if message.text.strip() else None
    if intent is not None:
        said = shortened(message.text)
        flag = CustomerFlag("intent", intent, said, message.sent_at, message.key)
        await deps.get(FLAGS).add(message.sender, flag)


def shortened(text: str) -> str:
    """The message on one line, at most INTENT_CHARS characters."""
    line = " ".join(text.split())
    return line if len(line) <= INTENT_CHARS else line[: INTENT_CHARS - 1] + "…"
