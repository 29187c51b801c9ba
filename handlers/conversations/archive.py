"""Archived chats (会话内容存档) as chat messages: what an archive puller posts, checked.

WeCom's finance SDK (which decrypts the archive) runs outside siyu; a puller posts the text
messages it gets to ``POST /api/v1/archive/messages`` in the shape below. The field names
follow the SDK's where they exist (``msgid``, ``from``, ``tolist``, ``roomid``, ``msgtime``
in ms); ``to``, ``time`` (seconds, ms or ISO 8601), ``text`` and ``role`` are accepted too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Final

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from bot.events.conversation import ChatMessage, Conversation, Role, Source, clean_text, guess_role

MAX_ID_CHARS: Final = 128
_MS_FROM: Final = 10**11  # a time this large is in milliseconds (the SDK's msgtime)

Id = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]


class ArchivedMessage(BaseModel):
    """One archived text message."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    msgid: Id
    sender: Id = Field(validation_alias=AliasChoices("from", "sender"))
    to: tuple[str, ...] = Field(default=(), validation_alias=AliasChoices("to", "tolist"))
    roomid: str = ""
    role: Role | None = None  # None: from the sender's id (wm…/wo… are customers)
    text: str = Field(min_length=1, validation_alias=AliasChoices("text", "content"))
    time: datetime = Field(validation_alias=AliasChoices("time", "msgtime"))

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator("time", mode="before")
    @classmethod
    def _epoch(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("time must be a number or an ISO 8601 string")
        if isinstance(value, int | float):
            seconds = value / 1000 if value >= _MS_FROM else value
            return datetime.fromtimestamp(seconds, tz=UTC)
        return value

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time needs a time zone (or send Unix seconds)")
        return value

    def to_chat_message(self) -> ChatMessage:
        """As siyu's chat message: the sender's role, and the other side or the group."""
        role = self.role or guess_role(self.sender)
        other = self.to[0] if self.to and not self.roomid else ""
        if role is Role.CUSTOMER:
            talk = Conversation(staff=other, customer=self.sender, chat_id=self.roomid)
        else:
            customer = other if guess_role(other) is Role.CUSTOMER else ""
            talk = Conversation(staff=self.sender, customer=customer, chat_id=self.roomid)
        return ChatMessage(
            source=Source.ARCHIVE,
            msgid=self.msgid,
            role=role,
            sender=self.sender,
            text=clean_text(self.text),
            sent_at=self.time,
            conversation=talk,
        )
