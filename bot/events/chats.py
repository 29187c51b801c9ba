"""Customer-group events: change_external_chat (doc 92130)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from bot.events.base import (
    Event,
    Fields,
    common,
    composite_key,
    items,
    optional_integer,
    optional_text,
    text,
    unix,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalChatEvent(Event):
    """Something happened to customer group ``chat_id``."""

    kind: ClassVar[str] = "external_chat"
    change_type: ClassVar[str] = ""
    chat_id: str

    @property
    def dedup_key(self) -> str:
        """Event, ChangeType, ChatId and CreateTime (FromUserName is ``sys``)."""
        return composite_key(
            "change_external_chat", self.change_type, self.chat_id, unix(self.create_time)
        )

    def __init_subclass__(cls, **kwargs: object) -> None:
        # no super(): slotted dataclasses are rebuilt, so its implicit cell would be stale
        del kwargs
        cls.wires = (("event", "change_external_chat", cls.change_type),)

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_chat message."""
        return cls(**_chat(fields))


def _chat(fields: Fields) -> dict[str, Any]:
    return {**common(fields), "chat_id": text(fields, "ChatId")}


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalChatCreated(ExternalChatEvent):
    """create: a customer group was created."""

    kind: ClassVar[str] = "external_chat_created"
    change_type: ClassVar[str] = "create"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalChatDismissed(ExternalChatEvent):
    """dismiss: the group was dismissed."""

    kind: ClassVar[str] = "external_chat_dismissed"
    change_type: ClassVar[str] = "dismiss"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalChatUpdated(ExternalChatEvent):
    """update: members joined or quit, or the owner, name or notice changed."""

    kind: ClassVar[str] = "external_chat_updated"
    change_type: ClassVar[str] = "update"
    update_detail: str  # add_member | del_member | change_owner | change_name | change_notice
    join_scene: int | None  # add_member: 0 direct invite, 1 invite link, 3 QR scan
    quit_scene: int | None  # del_member: 0 left, 1 removed by owner/admin
    member_change_count: int | None
    member_change_list: tuple[str, ...]
    last_member_version: str | None
    current_member_version: str | None

    @property
    def dedup_key(self) -> str:
        """Two joins to one group in the same second differ by members or versions."""
        return composite_key(
            "change_external_chat",
            "update",
            self.chat_id,
            self.update_detail,
            ",".join(self.member_change_list),
            self.current_member_version,
            unix(self.create_time),
        )

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_chat update."""
        return cls(
            **_chat(fields),
            update_detail=text(fields, "UpdateDetail"),
            join_scene=optional_integer(fields, "JoinScene"),
            quit_scene=optional_integer(fields, "QuitScene"),
            member_change_count=optional_integer(fields, "MemChangeCnt"),
            member_change_list=items(fields, "MemChangeList"),
            last_member_version=optional_text(fields, "LastMemVer"),
            current_member_version=optional_text(fields, "CurMemVer"),
        )
