"""What every callback event has, and the field readers the event builders share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar


class EventParseError(Exception):
    """A known kind of event lacks a field it needs, or a field has the wrong shape."""


Fields = Mapping[str, Any]
Wire = tuple[str, str | None, str | None]  # (MsgType, Event, ChangeType), lower-cased


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Common to every callback: the corp, the sender, when, and through which app."""

    kind: ClassVar[str] = "event"  # the queue's and the metrics' name of the kind
    # The wire keys this class is parsed from; the registry is built from them (registry.py).
    wires: ClassVar[tuple[Wire, ...]] = ()
    internal: ClassVar[bool] = False  # siyu's own kind: refused when it comes from outside

    corp_id: str
    from_user: str
    create_time: datetime
    agent_id: int | None = None

    @property
    def dedup_key(self) -> str:
        """A key equal for redeliveries of this callback and distinct for any other."""
        raise NotImplementedError

    @classmethod
    def from_fields(cls, fields: Fields) -> Event:
        """Build from a message's fields (raises EventParseError when a field is missing)."""
        raise NotImplementedError(f"{cls.__name__} is not built from fields")


def text(fields: Fields, name: str) -> str:
    """A required text field."""
    value = fields.get(name)
    if not isinstance(value, str) or value == "":
        raise EventParseError(f"missing field {name}")
    return value


def optional_text(fields: Fields, name: str) -> str | None:
    """An optional text field; empty counts as absent."""
    value = fields.get(name)
    return value if isinstance(value, str) and value != "" else None


def integer(fields: Fields, name: str) -> int:
    """A required integer field."""
    try:
        return int(text(fields, name).strip())
    except ValueError as exc:
        raise EventParseError(f"field {name} is not an integer") from exc


def optional_integer(fields: Fields, name: str) -> int | None:
    """An optional integer field."""
    return integer(fields, name) if optional_text(fields, name) is not None else None


def items(fields: Fields, name: str) -> tuple[str, ...]:
    """A list field such as ``<MemChangeList><Item>a</Item><Item>b</Item></MemChangeList>``."""
    container = fields.get(name)
    if not isinstance(container, Mapping):
        return ()
    values = container.get("Item", [])
    listed = values if isinstance(values, list) else [values]
    return tuple(v for v in listed if isinstance(v, str))


def timestamp(fields: Fields, name: str = "CreateTime") -> datetime:
    """A Unix-seconds field as an aware UTC datetime."""
    seconds = integer(fields, name)
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise EventParseError(f"field {name} is not a valid time") from exc


def common(fields: Fields) -> dict[str, Any]:
    """The keyword arguments every Event takes."""
    return {
        "corp_id": text(fields, "ToUserName"),
        "from_user": optional_text(fields, "FromUserName") or "",
        "create_time": timestamp(fields),
        "agent_id": optional_integer(fields, "AgentID"),
    }


def composite_key(*parts: object) -> str:
    """Join key parts with a separator no WeCom id contains."""
    return "|".join("" if part is None else str(part) for part in parts)


def fingerprint(fields: Fields) -> str:
    """A stable digest of all fields, for kinds with no natural id."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def unix(moment: datetime) -> int:
    """Seconds since the epoch, as WeCom's CreateTime."""
    return int(moment.timestamp())
