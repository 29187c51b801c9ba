"""Messages staff members write to the siyu app (doc 90375), as chat messages."""

from __future__ import annotations

from bot.events import TextMessage
from bot.events.conversation import ChatMessage, Conversation, Role, Source, clean_text


def from_app(event: TextMessage) -> ChatMessage:
    """A staff member's text to the siyu app (the other side is the app itself)."""
    return ChatMessage(
        source=Source.APP,
        msgid=str(event.msg_id),
        role=Role.STAFF,
        sender=event.from_user,
        text=clean_text(event.content),
        sent_at=event.create_time,
        conversation=Conversation(staff=event.from_user),
    )
