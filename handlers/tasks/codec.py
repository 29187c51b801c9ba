"""Task specs as JSON: what is stored in Redis, taken by the admin API and shown by the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from handlers.tasks.model import (
    Content,
    CustomerFilter,
    GroupFilter,
    Source,
    TaskSpec,
    TaskSpecError,
)

_CUSTOMER_LISTS = ("all_tags", "any_tags", "no_tags", "channels", "staff")
_GROUP_LISTS = ("owners", "labels", "chat_ids")


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def spec_to_json(spec: TaskSpec) -> dict[str, Any]:
    """A JSON-ready dict of ``spec``."""
    shown: dict[str, Any] = {
        "title": spec.title,
        "content": {
            "text": spec.content.text,
            "attachments": [dict(a) for a in spec.content.attachments],
        },
        "deadline": spec.deadline.isoformat(),
        "operator": spec.operator,
        "source": spec.source.value,
        "customers": None,
        "groups": None,
    }
    if spec.customers is not None:
        rule = asdict(spec.customers)
        rule["added_from"] = _time(spec.customers.added_from)
        rule["added_until"] = _time(spec.customers.added_until)
        shown["customers"] = rule
    if spec.groups is not None:
        shown["groups"] = asdict(spec.groups)
    return shown


def _strings(raw: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = raw.get(name) or ()
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise TaskSpecError(f"{name} must be a list of strings")
    return tuple(value)


def _moment(raw: Mapping[str, Any], name: str, required: bool = False) -> datetime | None:
    value = raw.get(name)
    if value is None and not required:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise TaskSpecError(f"{name} must be an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise TaskSpecError(f"{name} needs a time zone (e.g. +08:00)")
    return moment


def _customers(raw: Any) -> CustomerFilter | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise TaskSpecError("customers must be an object")
    lists = {name: _strings(raw, name) for name in _CUSTOMER_LISTS}
    return CustomerFilter(
        everyone=bool(raw.get("everyone", False)),
        **lists,
        added_from=_moment(raw, "added_from"),
        added_until=_moment(raw, "added_until"),
    )


def _groups(raw: Any) -> GroupFilter | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise TaskSpecError("groups must be an object")
    lists = {name: _strings(raw, name) for name in _GROUP_LISTS}
    return GroupFilter(everyone=bool(raw.get("everyone", False)), **lists)


def _content(raw: Any) -> Content:
    if not isinstance(raw, Mapping):
        raise TaskSpecError("content must be an object with text and attachments")
    attachments = raw.get("attachments") or []
    if not isinstance(attachments, list) or not all(isinstance(a, Mapping) for a in attachments):
        raise TaskSpecError("content.attachments must be a list of objects")
    return Content(str(raw.get("text") or ""), tuple(attachments))


def spec_from_json(raw: Mapping[str, Any]) -> TaskSpec:
    """A TaskSpec from JSON (TaskSpecError when a field has the wrong shape)."""
    try:
        source = Source(str(raw.get("source") or Source.WECOM.value))
    except ValueError as exc:
        raise TaskSpecError("source must be wecom or store") from exc
    deadline = _moment(raw, "deadline", required=True)
    assert deadline is not None  # noqa: S101 - required above
    return TaskSpec(
        title=str(raw.get("title") or ""),
        content=_content(raw.get("content")),
        deadline=deadline,
        customers=_customers(raw.get("customers")),
        groups=_groups(raw.get("groups")),
        operator=str(raw.get("operator") or ""),
        source=source,
    )
