"""parse_event: the registry from (MsgType, Event, ChangeType) to a typed event.

It is derived from the event classes: each declares the wire keys it is parsed from
(``wires``) and how (``from_fields``), so a kind is written once, in its class.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any, Final

from bot.envelope import parse_fields
from bot.events import (  # every module of queued kinds, so every class is defined
    chat_messages,  # noqa: F401
    chats,  # noqa: F401
    contacts,  # noqa: F401
    messages,  # noqa: F401
    misc,
    reminders,  # noqa: F401
    tasks,  # noqa: F401
    ticks,  # noqa: F401
)
from bot.events.base import Event, EventParseError, Fields, Wire, optional_text

logger = logging.getLogger(__name__)

AnyEvent = Event | misc.UnknownEvent
Builder = Callable[[Fields], Event]
Kind = Wire


def _classes(root: type[Event]) -> Iterator[type[Event]]:
    """Every event class below ``root``. ``@dataclass(slots=True)`` replaces a class with a
    slotted copy; the original may linger among the subclasses: only slotted ones count."""
    for cls in root.__subclasses__():
        if "__slots__" in cls.__dict__:
            yield cls
        yield from _classes(cls)


def _registry() -> dict[Kind, Builder]:
    found: dict[Kind, Builder] = {}
    for cls in _classes(Event):
        for wire in cls.wires:
            if wire in found:
                raise RuntimeError(f"{wire} is claimed by two event classes")
            found[wire] = cls.from_fields
    return found


REGISTRY: Final[dict[Kind, Builder]] = _registry()

# The Event values of siyu's own kinds: queued by siyu, refused when they come from outside.
INTERNAL_EVENTS: Final = frozenset(
    wire[1] for cls in _classes(Event) if cls.internal for wire in cls.wires if wire[1]
)


def is_internal(kind: Kind) -> bool:
    """One of siyu's own kinds (a reminder due, a task step, a chat message, the tick)."""
    return kind[0] == "event" and kind[1] in INTERNAL_EVENTS


def kind_of(fields: Fields) -> Kind:
    """The registry key of a message: (MsgType, Event, ChangeType), lower-cased."""
    msg_type = (optional_text(fields, "MsgType") or "").strip().lower()
    if msg_type != "event":
        return (msg_type, None, None)
    event = (optional_text(fields, "Event") or "").strip().lower()
    change = optional_text(fields, "ChangeType")
    return (msg_type, event, change.strip().lower() if change else None)


def _builder_for(kind: Kind) -> Builder | None:
    return REGISTRY.get(kind) or REGISTRY.get((kind[0], kind[1], None))


def event_from_fields(fields: dict[str, Any]) -> AnyEvent:
    """Type a decrypted message; what cannot be typed becomes UnknownEvent."""
    builder = _builder_for(kind_of(fields))
    if builder is None:
        return misc.UnknownEvent(raw=fields, reason="unknown kind")
    try:
        return builder(fields)
    except EventParseError as exc:
        logger.warning("callback of a known kind could not be typed: %s", exc)
        return misc.UnknownEvent(raw=fields, reason=str(exc))


def parse_event(plaintext: str) -> AnyEvent:
    """Parse decrypted callback XML into its typed event (raises MalformedXML if not XML)."""
    return event_from_fields(parse_fields(plaintext))


def compact(fields: Fields) -> str:
    """A decrypted message's fields as compact JSON, queued beside the XML (issue 13).

    The gateway parsed the XML once; workers rebuild the typed event from this with
    ``event_from_compact`` instead of parsing the XML a second time.
    """
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def event_from_compact(data: str) -> AnyEvent:
    """The typed event of ``compact``'s output (raises ValueError if it is not a JSON object)."""
    fields = json.loads(data)
    if not isinstance(fields, dict):
        raise ValueError("compact event fields are not an object")
    return event_from_fields(fields)
