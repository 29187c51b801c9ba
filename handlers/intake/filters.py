"""The dispatch filters of the intake handlers: named pure predicates over events."""

from __future__ import annotations

from typing import Final

from bot.events import ExternalContactAdded, ExternalContactDeleted, ExternalContactHalfAdded
from bot.events.chat_messages import ChatMessageEvent

DELETE_BY_TRANSFER: Final = "DELETE_BY_TRANSFER"  # del_external_contact's Source (doc 92277)

Added = ExternalContactAdded | ExternalContactHalfAdded


def has_welcome_code(event: Added) -> bool:
    """WeCom gave a code: no console welcome is configured and the pair never chatted."""
    return event.welcome_code is not None


def has_no_welcome_code(event: Added) -> bool:
    """No code: WeCom sends the console's welcome, or the pair already chatted."""
    return event.welcome_code is None


def through_a_live_code(event: Added) -> bool:
    """The add carries a State: the customer came through a live code (or a link)."""
    return event.state is not None


def not_a_transfer(event: ExternalContactDeleted) -> bool:
    """The staff member really deleted the customer (not an on-the-job transfer)."""
    return event.source != DELETE_BY_TRANSFER


def with_a_customer(event: ChatMessageEvent) -> bool:
    """A chat message whose conversation has a known customer (not an app message)."""
    return bool(event.message.customer)
