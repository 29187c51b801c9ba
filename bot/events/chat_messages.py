"""ChatMessageEvent: a chat message read from KF or an archive, queued like a callback.

It travels through the event stream as the XML of a kind WeCom never sends
(``siyu_chat_message``), so moderation and intents handle it with the same retries,
rate-limit deferrals and dead letters as WeCom's callbacks. Its dedup key is the source and
the message id: a message pulled or posted twice is queued once (for the queue's dedup
TTL; the effects' ledger keys cover redeliveries after that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final, TypeVar

from bot.callbacks import message_xml
from bot.events.base import (
    Event,
    EventParseError,
    Fields,
    Wire,
    common,
    composite_key,
    optional_text,
    text,
    unix,
)
from bot.events.conversation import ChatMessage, Conversation, Role, Source

EVENT: Final = "siyu_chat_message"  # the key in bot/events/registry.py
KIND: Final = "chat_message"
_E = TypeVar("_E", Source, Role)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatMessageEvent(Event):
    """``message`` was read from its source; ``from_user`` is its sender."""

    kind: ClassVar[str] = KIND
    wires: ClassVar[tuple[Wire, ...]] = (("event", EVENT, None),)
    internal: ClassVar[bool] = True  # queued by siyu, never by WeCom
    message: ChatMessage

    @property
    def dedup_key(self) -> str:
        """The source and the message id."""
        return dedup_key_of(self.message)

    @classmethod
    def from_fields(cls, fields: Fields) -> ChatMessageEvent:
        """From its queued fields."""
        return build_chat_message(fields)


def dedup_key_of(message: ChatMessage) -> str:
    """The queue's dedup key of a chat message."""
    return composite_key("chat", message.source, message.msgid)


def _enum(kind: type[_E], fields: Fields, name: str) -> _E:
    value = text(fields, name)
    try:
        return kind(value)
    except ValueError as exc:
        raise EventParseError(f"field {name} has an unknown value") from exc


def build_chat_message(fields: Fields) -> ChatMessageEvent:
    """The registry's builder (bot/events/registry.py)."""
    base = common(fields)
    conversation = Conversation(
        staff=optional_text(fields, "Staff") or "",
        customer=optional_text(fields, "Customer") or "",
        chat_id=optional_text(fields, "ChatId") or "",
        open_kfid=optional_text(fields, "OpenKfId") or "",
    )
    message = ChatMessage(
        source=_enum(Source, fields, "Source"),
        msgid=text(fields, "MsgKey"),
        role=_enum(Role, fields, "Role"),
        sender=base["from_user"],
        text=optional_text(fields, "Content") or "",
        sent_at=base["create_time"],
        conversation=conversation,
    )
    return ChatMessageEvent(**base, message=message)


def chat_message_xml(corp_id: str, message: ChatMessage) -> str:
    """The queued form of a chat message (its text must already be clean_text'ed)."""
    talk = message.conversation
    return message_xml(
        {
            "ToUserName": corp_id,
            "FromUserName": message.sender,
            "CreateTime": unix(message.sent_at),
            "MsgType": "event",
            "Event": EVENT,
            "Source": str(message.source),
            "MsgKey": message.msgid,
            "Role": str(message.role),
            "Content": message.text,
            "Staff": talk.staff,
            "Customer": talk.customer,
            "ChatId": talk.chat_id,
            "OpenKfId": talk.open_kfid,
        }
    )
