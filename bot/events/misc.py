"""Tag, customer-service, app and archive events, and the catch-all UnknownEvent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from bot.events.base import (
    Event,
    Fields,
    Wire,
    common,
    composite_key,
    fingerprint,
    optional_text,
    text,
    unix,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTagChanged(Event):
    """change_external_tag create|update|delete of a corp tag or tag group (doc 92130)."""

    kind: ClassVar[str] = "external_tag_changed"
    wires: ClassVar[tuple[Wire, ...]] = tuple(
        ("event", "change_external_tag", c) for c in ("create", "update", "delete")
    )
    change_type: str
    tag_id: str
    tag_type: str | None  # tag | tag_group
    strategy_id: str | None

    @property
    def dedup_key(self) -> str:
        """Event, ChangeType, the tag id, its type and CreateTime."""
        return composite_key(
            "change_external_tag",
            self.change_type,
            self.tag_type,
            self.tag_id,
            unix(self.create_time),
        )

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_tag message."""
        return cls(
            **common(fields),
            change_type=text(fields, "ChangeType"),
            tag_id=text(fields, "Id"),
            tag_type=optional_text(fields, "TagType"),
            strategy_id=optional_text(fields, "StrategyId"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTagShuffled(Event):
    """change_external_tag shuffle: tags of a group (or of all, Id empty) were reordered."""

    kind: ClassVar[str] = "external_tag_shuffled"
    wires: ClassVar[tuple[Wire, ...]] = (("event", "change_external_tag", "shuffle"),)
    tag_id: str | None
    strategy_id: str | None

    @property
    def dedup_key(self) -> str:
        """Event, ChangeType, the group id, the strategy and CreateTime."""
        return composite_key(
            "change_external_tag", "shuffle", self.tag_id, self.strategy_id, unix(self.create_time)
        )

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_tag shuffle."""
        return cls(
            **common(fields),
            tag_id=optional_text(fields, "Id"),
            strategy_id=optional_text(fields, "StrategyId"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class KfMsgOrEvent(Event):
    """kf_msg_or_event: new customer-service messages to pull with kf/sync_msg (doc 94670)."""

    kind: ClassVar[str] = "kf_msg_or_event"
    wires: ClassVar[tuple[Wire, ...]] = (("event", "kf_msg_or_event", None),)
    # for kf/sync_msg, valid about 10 minutes: a credential, so never in a repr or a log line
    token: str = field(repr=False)
    open_kf_id: str

    @property
    def dedup_key(self) -> str:
        """The sync token is unique per notification (a digest of it: keys get logged)."""
        digest = hashlib.sha256(self.token.encode()).hexdigest()[:16]
        return composite_key("kf_msg_or_event", self.open_kf_id, digest, unix(self.create_time))

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a kf_msg_or_event message."""
        return cls(
            **common(fields), token=text(fields, "Token"), open_kf_id=text(fields, "OpenKfId")
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentEntered(Event):
    """enter_agent: a member opened the app's chat (doc 90376)."""

    kind: ClassVar[str] = "enter_agent"
    wires: ClassVar[tuple[Wire, ...]] = (("event", "enter_agent", None),)
    event_key: str | None

    @property
    def dedup_key(self) -> str:
        """FromUserName and CreateTime, per the docs."""
        return composite_key("enter_agent", self.from_user, self.agent_id, unix(self.create_time))

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From an enter_agent message."""
        return cls(**common(fields), event_key=optional_text(fields, "EventKey"))


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateCardClicked(Event):
    """template_card_event: a member pressed a button or submitted a card (doc 90376)."""

    kind: ClassVar[str] = "template_card_event"
    wires: ClassVar[tuple[Wire, ...]] = (("event", "template_card_event", None),)
    event_key: str | None
    task_id: str | None
    card_type: str | None
    response_code: str | None  # for update_template_card: 72 h, once
    selected_items: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def dedup_key(self) -> str:
        """The member, the card's task, the button and the response code."""
        return composite_key(
            "template_card_event",
            self.from_user,
            self.task_id,
            self.event_key,
            self.response_code,
            unix(self.create_time),
        )

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a template_card_event message."""
        return cls(
            **common(fields),
            event_key=optional_text(fields, "EventKey"),
            task_id=optional_text(fields, "TaskId"),
            card_type=optional_text(fields, "CardType"),
            response_code=optional_text(fields, "ResponseCode"),
            selected_items=_selected_items(fields),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgAuditNotify(Event):
    """msgaudit_notify: new archived messages can be pulled through the finance SDK."""

    kind: ClassVar[str] = "msgaudit_notify"
    wires: ClassVar[tuple[Wire, ...]] = (("event", "msgaudit_notify", None),)

    @property
    def dedup_key(self) -> str:
        """FromUserName, AgentID and CreateTime."""
        return composite_key(
            "msgaudit_notify", self.from_user, self.agent_id, unix(self.create_time)
        )

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a msgaudit_notify message."""
        return cls(**common(fields))


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownEvent:
    """A callback siyu has no type for (or a known kind missing a field): kept, never lost."""

    kind: ClassVar[str] = "unknown"
    raw: dict[str, Any]
    reason: str

    @property
    def msg_type(self) -> str | None:
        """MsgType, if any."""
        value = self.raw.get("MsgType")
        return value if isinstance(value, str) else None

    @property
    def event(self) -> str | None:
        """Event, if any."""
        value = self.raw.get("Event")
        return value if isinstance(value, str) else None

    @property
    def dedup_key(self) -> str:
        """MsgId when there is one; otherwise a digest of the whole message."""
        msg_id = self.raw.get("MsgId")
        if isinstance(msg_id, str) and msg_id.strip().isdigit():
            return f"msg|{msg_id.strip()}"
        return composite_key("unknown", self.msg_type, self.event, fingerprint(self.raw))


def _selected_items(f: Fields) -> dict[str, tuple[str, ...]]:
    container = f.get("SelectedItems")
    if not isinstance(container, dict):
        return {}
    raw = container.get("SelectedItem", [])
    selected: dict[str, tuple[str, ...]] = {}
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, dict) and isinstance(item.get("QuestionKey"), str):
            options = item.get("OptionIds")
            option_fields = options if isinstance(options, dict) else {}
            ids = option_fields.get("OptionId", [])
            listed = ids if isinstance(ids, list) else [ids]
            selected[item["QuestionKey"]] = tuple(i for i in listed if isinstance(i, str))
    return selected
