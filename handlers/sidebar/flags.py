"""The sidebar's router: moderation's flags copied onto the customer's flag list.

Moderation records a sensitive hit as an alert (one per message, keyed by the message); it
keeps no list per customer. This router runs after moderation's (handlers/__init__.py) and,
for a customer's message that moderation flagged, keeps the label and the excerpt on the
customer's list (handlers/sidebar/flag_store.py), which the card reads.
"""

from __future__ import annotations

from bot.deps import Deps
from bot.dispatch import Router
from bot.events.chat_messages import ChatMessageEvent
from handlers.sidebar.components import FLAGS
from handlers.sidebar.flag_store import CustomerFlag
from handlers.sidebar.needs import MESSAGE_FLAGS

router = Router(name="sidebar")


def from_a_customer(event: ChatMessageEvent) -> bool:
    """A customer's message in a one-to-one or group chat."""
    return event.message.from_customer and bool(event.message.sender)


@router.on(ChatMessageEvent, from_a_customer)
async def keep_flags(event: ChatMessageEvent, deps: Deps) -> None:
    """Copy moderation's flag of this message (if it flagged it) onto the customer's list."""
    message = event.message
    found = await deps.get(MESSAGE_FLAGS).flagged(message.key)
    if found is None:
        return
    label, excerpt = found
    flag = CustomerFlag("sensitive", label, excerpt, message.sent_at, message.key)
    await deps.get(FLAGS).add(message.sender, flag)
