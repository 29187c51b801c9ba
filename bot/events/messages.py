"""App messages a member sends to a siyu app (doc 90375): deduplicated by MsgId."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from bot.events.base import (
    Event,
    Fields,
    common,
    integer,
    optional_integer,
    optional_text,
    text,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Event):
    """A message with WeCom's 64-bit MsgId."""

    kind: ClassVar[str] = "message"
    msg_id: int

    @property
    def dedup_key(self) -> str:
        """WeCom's own message id (spec §1.5)."""
        return f"msg|{self.msg_id}"

    def __init_subclass__(cls, **kwargs: object) -> None:
        # no super(): slotted dataclasses are rebuilt, so its implicit cell would be stale
        del kwargs
        cls.wires = ((cls.kind, None, None),)  # a message's MsgType is its kind


def _message(fields: Fields) -> dict[str, Any]:
    return {**common(fields), "msg_id": integer(fields, "MsgId")}


@dataclass(frozen=True, slots=True, kw_only=True)
class TextMessage(Message):
    """MsgType text."""

    kind: ClassVar[str] = "text"
    content: str

    @classmethod
    def from_fields(cls, f: Fields) -> Self:
        """From a message's fields."""
        return cls(**_message(f), content=optional_text(f, "Content") or "")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageMessage(Message):
    """MsgType image."""

    kind: ClassVar[str] = "image"
    pic_url: str | None
    media_id: str | None

    @classmethod
    def from_fields(cls, f: Fields) -> Self:
        """From a message's fields."""
        return cls(
            **_message(f), pic_url=optional_text(f, "PicUrl"), media_id=optional_text(f, "MediaId")
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceMessage(Message):
    """MsgType voice (amr or speex)."""

    kind: ClassVar[str] = "voice"
    media_id: str | None
    format: str | None

    @classmethod
    def from_fields(cls, f: Fields) -> Self:
        """From a message's fields."""
        return cls(
            **_message(f), media_id=optional_text(f, "MediaId"), format=optional_text(f, "Format")
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoMessage(Message):
    """MsgType video."""

    kind: ClassVar[str] = "video"
    media_id: str | None
    thumb_media_id: str | None

    @classmethod
    def from_fields(cls, f: Fields) -> Self:
        """From a message's fields."""
        return cls(
            **_message(f),
            media_id=optional_text(f, "MediaId"),
            thumb_media_id=optional_text(f, "ThumbMediaId"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LocationMessage(Message):
    """MsgType location."""

    kind: ClassVar[str] = "location"
    latitude: str
    longitude: str
    scale: int | None
    label: str | None
    app_type: str | None

    @classmethod
    def from_fields(cls, f: Fields) -> Self:
        """From a message's fields."""
        return cls(
            **_message(f),
            latitude=text(f, "Location_X"),
            longitude=text(f, "Location_Y"),
            scale=optional_integer(f, "Scale"),
            label=optional_text(f, "Label"),
            app_type=optional_text(f, "AppType"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkMessage(Message):
    """MsgType link."""

    kind: ClassVar[str] = "link"
    title: str | None
    description: str | None
    url: str | None
    pic_url: str | None

    @classmethod
    def from_fields(cls, f: Fields) -> Self:
        """From a message's fields."""
        return cls(
            **_message(f),
            title=optional_text(f, "Title"),
            description=optional_text(f, "Description"),
            url=optional_text(f, "Url"),
            pic_url=optional_text(f, "PicUrl"),
        )
