"""Typed, frozen callback events and the one ``parse_event`` registry that builds them."""

from bot.events.base import Event, EventParseError
from bot.events.chats import (
    ExternalChatCreated,
    ExternalChatDismissed,
    ExternalChatEvent,
    ExternalChatUpdated,
)
from bot.events.contacts import (
    ExternalContactAdded,
    ExternalContactDeleted,
    ExternalContactEdited,
    ExternalContactEvent,
    ExternalContactHalfAdded,
    FollowUserDeleted,
    TransferFailed,
)
from bot.events.messages import (
    ImageMessage,
    LinkMessage,
    LocationMessage,
    Message,
    TextMessage,
    VideoMessage,
    VoiceMessage,
)
from bot.events.misc import (
    AgentEntered,
    ExternalTagChanged,
    ExternalTagShuffled,
    KfMsgOrEvent,
    MsgAuditNotify,
    TemplateCardClicked,
    UnknownEvent,
)
from bot.events.registry import AnyEvent, event_from_fields, parse_event

__all__ = [
    "AgentEntered",
    "AnyEvent",
    "Event",
    "EventParseError",
    "ExternalChatCreated",
    "ExternalChatDismissed",
    "ExternalChatEvent",
    "ExternalChatUpdated",
    "ExternalContactAdded",
    "ExternalContactDeleted",
    "ExternalContactEdited",
    "ExternalContactEvent",
    "ExternalContactHalfAdded",
    "ExternalTagChanged",
    "ExternalTagShuffled",
    "FollowUserDeleted",
    "ImageMessage",
    "KfMsgOrEvent",
    "LinkMessage",
    "LocationMessage",
    "Message",
    "MsgAuditNotify",
    "TemplateCardClicked",
    "TextMessage",
    "TransferFailed",
    "UnknownEvent",
    "VideoMessage",
    "VoiceMessage",
    "event_from_fields",
    "parse_event",
]
