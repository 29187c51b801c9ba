"""The console's channel form: its fields to and from the intake rules' ``Channel`` model, so
the page validates exactly as PUT /api/v1/intake/rules and config/intake.toml do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import ValidationError

from handlers.intake.rules import Channel, IntakeRules

EMPTY_ROWS: Final = 2  # blank staff rows under the listed ones
MIN_ROWS: Final = 3


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def staff_rows(channel: Channel | None) -> list[dict[str, str]]:
    """The staff table's rows: the channel's members, then blank rows."""
    rows = [
        {
            "userid": m.userid,
            "weight": str(m.weight),
            "daily_cap": "" if m.daily_cap is None else str(m.daily_cap),
            "hours": ", ".join(m.hours or ()),
        }
        for m in (channel.staff if channel is not None else ())
    ]
    blank = {"userid": "", "weight": "", "daily_cap": "", "hours": ""}
    return rows + [dict(blank)] * max(EMPTY_ROWS, MIN_ROWS - len(rows))


def form_values(channel: Channel | None) -> dict[str, Any]:
    """The form's fields for a channel (None: a new one)."""
    if channel is None:
        return {
            "name": "",
            "state": "",
            "backup": "",
            "tags": "",
            "welcome": "",
            "staff": staff_rows(None),
        }
    return {
        "name": channel.name,
        "state": channel.state,
        "backup": ", ".join(channel.backup),
        "tags": ", ".join(f"{tag.group}/{tag.name}" for tag in channel.tags),
        "welcome": channel.welcome.text if channel.welcome is not None else "",
        "staff": staff_rows(channel),
    }


def posted_values(form: Mapping[str, str]) -> dict[str, Any]:
    """The form's fields as posted (to show them again with the errors)."""
    rows = []
    for index in range(100):
        if f"staff-{index}-userid" not in form:
            break
        rows.append(
            {
                name: form.get(f"staff-{index}-{name}", "").strip()
                for name in ("userid", "weight", "daily_cap", "hours")
            }
        )
    return {
        name: form.get(name, "").strip() for name in ("name", "state", "backup", "tags", "welcome")
    } | {"staff": rows}


def _member(row: Mapping[str, str]) -> dict[str, Any]:
    member: dict[str, Any] = {"userid": row["userid"]}
    if row["weight"]:
        member["weight"] = row["weight"]
    if row["daily_cap"]:
        member["daily_cap"] = row["daily_cap"]
    if row["hours"]:
        member["hours"] = _split(row["hours"])
    return member


def _tag(text: str) -> dict[str, str]:
    group, _, name = text.rpartition("/")
    return {"group": group.strip(), "name": name.strip()}


def channel_data(values: Mapping[str, Any], before: Channel | None) -> dict[str, Any]:
    """The channel the form describes, as data for ``Channel`` (attachments and an adopted
    config_id, which the form does not show, are kept from ``before``)."""
    attachments = before.welcome.attachments if before and before.welcome else ()
    welcome = None
    if values["welcome"] or attachments:
        welcome = {"text": values["welcome"], "attachments": [a.model_dump() for a in attachments]}
    return {
        "name": values["name"],
        "state": values["state"],
        "staff": [_member(row) for row in values["staff"] if row["userid"]],
        "backup": _split(values["backup"]),
        "tags": [_tag(text) for text in _split(values["tags"])],
        "welcome": welcome,
        "config_id": before.config_id if before is not None else None,
    }


def with_channel(rules: IntakeRules, channel_id: str, data: Mapping[str, Any]) -> IntakeRules:
    """The rules with the channel put in (ValidationError as the API would answer 422)."""
    document = rules.model_dump(mode="json")
    document["channels"] = {**document["channels"], channel_id: dict(data)}
    return IntakeRules.model_validate(document)


def problems(error: ValidationError) -> list[str]:
    """One line per wrong field: where (inside the channel) and why."""
    lines = []
    for item in error.errors():
        where = [str(part) for part in item["loc"]]
        if where[:1] == ["channels"]:
            where = where[2:]
        lines.append(f"{'.'.join(where) or '—'}: {item['msg']}")
    return lines
