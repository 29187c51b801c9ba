"""App messages a member sends to a siyu app (doc 90375): deduplicated by MsgId."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.events.base import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Event):
    """A message with WeCom's 64-bit MsgId."""

    kind: ClassVar[str] = "message"
    msg_id: int

    @property
    def dedup_key(self) -> str:
        """WeCom's own message id (spec §1.5)."""
        return f"msg|{self.msg_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TextMessage(Message):
    """MsgType text."""

    kind: ClassVar[str] = "text"
    content: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageMessage(Message):
    """MsgType image."""

    kind: ClassVar[str] = "image"
    pic_url: str | None
    media_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceMessage(Message):
    """MsgType voice (amr or speex)."""

    kind: ClassVar[str] = "voice"
    media_id: str | None
    format: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoMessage(Message):
    """MsgType video."""

    kind: ClassVar[str] = "video"
    media_id: str | None
    thumb_media_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LocationMessage(Message):
    """MsgType location."""

    kind: ClassVar[str] = "location"
    latitude: str
    longitude: str
    scale: int | None
    label: str | None
    app_type: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkMessage(Message):
    """MsgType link."""

    kind: ClassVar[str] = "link"
    title: str | None
    description: str | None
    url: str | None
    pic_url: str | None
