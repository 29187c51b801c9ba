"""Customer-group rules as data: welcome templates, labels, group SOP.

The ``groups`` rule set of the rules store, seeded from config/groups.toml.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.deps import ComponentKey
from bot.store.rules_files import model_rule_set
from bot.store.rules_live import LiveRules, RuleSet

DEFAULT_RULES: Final = Path(__file__).resolve().parents[2] / "config" / "groups.toml"
# The live group rules of this process (Groups.rules reads them).
GROUP_RULES: Final = ComponentKey[LiveRules["GroupRules"]]("group_rules")
TEMPLATE_TEXT_BYTES: Final = 3000  # group_welcome_template text.content (doc 92366)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(_Rule):
    """A link part of a welcome template."""

    title: str = Field(min_length=1, max_length=128)
    url: str = Field(min_length=1)
    desc: str = ""
    picurl: str = ""


class WelcomeTemplate(_Rule):
    """One group welcome template, by the name siyu knows it by."""

    name: str = Field(min_length=1)
    text: str = ""
    image_url: str = ""
    image_media_id: str = ""
    link: Link | None = None

    @field_validator("text")
    @classmethod
    def _fits(cls, value: str) -> str:
        if len(value.encode("utf-8")) > TEMPLATE_TEXT_BYTES:
            raise ValueError("a group welcome template's text has at most 3000 bytes")
        return value

    def body(self) -> dict[str, Any]:
        """The group_welcome_template add/edit body."""
        body: dict[str, Any] = {}
        if self.text:
            body["text"] = {"content": self.text}
        if self.image_media_id or self.image_url:
            key = "media_id" if self.image_media_id else "pic_url"
            body["image"] = {key: self.image_media_id or self.image_url}
        if self.link is not None:
            body["link"] = self.link.model_dump(exclude_defaults=True)
        return body


class LabelRule(_Rule):
    """Which groups carry a label: listed, or named with one of some words."""

    chat_ids: list[str] = []
    name_contains: list[str] = []

    def matches(self, chat_id: str, name: str) -> bool:
        """Whether a group carries the label."""
        return chat_id in self.chat_ids or any(word in name for word in self.name_contains)


class GroupSelector(_Rule):
    """Which groups an SOP applies to."""

    labels: list[str] = []
    owners: list[str] = []
    chat_ids: list[str] = []
    all: bool = False


class GroupSop(_Rule):
    """Remind the owners of some groups to post ``content`` on ``weekdays`` at ``at``."""

    name: str = Field(min_length=1)
    title: str = ""
    text: str = Field(min_length=1)
    content: str = ""
    weekdays: list[int] = Field(min_length=1)
    at: time
    groups: GroupSelector

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not all(1 <= day <= 7 for day in value):  # noqa: PLR2004 - ISO weekdays
            raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
        return value

    def due_on(self, day: date, tz: ZoneInfo) -> datetime | None:
        """When the reminder falls due on ``day``, if the SOP runs that day."""
        if day.isoweekday() not in self.weekdays:
            return None
        return datetime.combine(day, self.at, tzinfo=tz)


class GroupRules(_Rule):
    """Everything in config/groups.toml."""

    welcome_templates: list[WelcomeTemplate] = []
    labels: dict[str, LabelRule] = {}
    sop: list[GroupSop] = []

    def labels_of(self, chat_id: str, name: str) -> list[str]:
        """The labels a group carries."""
        return sorted(label for label, rule in self.labels.items() if rule.matches(chat_id, name))


def load_group_rules(path: Path | None = None) -> GroupRules:
    """The rules in ``path`` (default: the shipped config/groups.toml)."""
    with (path or DEFAULT_RULES).open("rb") as handle:
        return GroupRules.model_validate(tomllib.load(handle))


def group_rule_set(defaults_file: Path | None = None) -> RuleSet[GroupRules]:
    """Welcome templates, labels and group SOP, seeded from ``[groups] rules_file``."""
    return model_rule_set(
        "groups", GroupRules, lambda rules: rules, lambda: defaults_file or DEFAULT_RULES
    )
