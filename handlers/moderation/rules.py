"""Moderation rules as data: who reviews which category, tags, and what each intent does.

Operators write them in TOML (defaults: config/moderation.toml, which seeds the ``moderation``
rule set of the rules store); handlers/moderation/analyzer.py follows the store.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_RULES_FILE: Final = Path(__file__).resolve().parents[2] / "config" / "moderation.toml"
PROMPT_FIELDS: Final = frozenset({"customer", "staff", "text", "intent"})
TagName = Annotated[str, Field(min_length=1, max_length=30)]  # corp tag names (doc 92117)
Userids = tuple[Annotated[str, Field(min_length=1)], ...]


class RulesError(Exception):
    """The rules file cannot be read or does not validate."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Model):
    """One sensitive category (nlp's names: diversion, abuse, ad_law, fraud...)."""

    label: str = ""  # shown on alert cards; default: the category's name
    reviewers: Userids = ()  # who gets its alerts; none: [alerts] reviewers
    customer_tag: TagName | None = None  # tag customers whose messages hit it...
    tag_after: Annotated[int, Field(ge=1)] = 1  # ...once they did this many times


class Alerts(_Model):
    """Sensitive hits: one alert card per message, to the reviewers of its categories."""

    reviewers: Userids = ()  # of every category that names none
    compliance_reviewers: Userids = ()  # staff-side hits of compliance_categories go here
    compliance_categories: tuple[str, ...] = ("ad_law",)
    excerpt_context: Annotated[int, Field(ge=0, le=40)] = 10  # characters around a hit
    tag_group: TagName = "风控"  # the group of the categories' customer tags
    categories: Mapping[str, Category] = Field(default_factory=dict)

    def category(self, name: str) -> Category:
        """The rules of a category (defaults for one the file does not name)."""
        return self.categories.get(name) or Category()

    def label(self, name: str) -> str:
        """A category's label on cards."""
        return self.category(name).label or name

    def reviewers_of(self, categories: tuple[str, ...], staff_side: bool) -> tuple[str, ...]:
        """Who reviews a message hitting ``categories`` (in order, each once)."""
        found: list[str] = []
        for name in categories:
            if staff_side and name in self.compliance_categories and self.compliance_reviewers:
                found.extend(self.compliance_reviewers)
            else:
                found.extend(self.category(name).reviewers or self.reviewers)
        return tuple(dict.fromkeys(found))


def _check_template(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise ValueError(f"bad template {value!r}: {exc}") from exc
    if names - PROMPT_FIELDS:
        raise ValueError(
            f"unknown fields {sorted(names - PROMPT_FIELDS)} in {value!r}; "
            f"use {sorted(PROMPT_FIELDS)}"
        )
    return value


class IntentAction(_Model):
    """What siyu does when a customer's message has this intent."""

    tag: TagName | None = None  # in [intents] tag_group
    prompt: str | None = None  # to the staff member; {customer} {staff} {text} {intent}
    do_not_disturb: bool = False  # group sends skip the customer from now on
    escalate: bool = False  # also tell a manager
    escalation: str | None = None  # the managers' text; default: the prompt
    min_score: Annotated[float, Field(ge=0)] = 0.0  # weaker intents are ignored

    _templates = field_validator("prompt", "escalation")(_check_template)


class Intents(_Model):
    """Customers' intents: tags, prompts to their staff member, escalation."""

    cooldown_minutes: Annotated[float, Field(ge=0)] = 30  # per staff × customer × intent
    tag_group: TagName = "意向"
    managers: Userids = ()  # escalations when the staff directory names no manager
    actions: Mapping[str, IntentAction] = Field(default_factory=dict)


class KfRules(_Model):
    """微信客服: who is prompted when no servicer of the customer is known yet."""

    staff: Mapping[str, Userids] = Field(default_factory=dict)  # open_kfid → userids


class ModerationRules(_Model):
    """Everything moderation and intents decide by."""

    alerts: Alerts = Alerts()
    intents: Intents = Intents()
    kf: KfRules = KfRules()


def load_rules_file(path: Path | None = None) -> ModerationRules:
    """Read and validate a rules file (default: config/moderation.toml)."""
    chosen = path or DEFAULT_RULES_FILE
    try:
        with chosen.open("rb") as handle:
            return ModerationRules.model_validate(tomllib.load(handle))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise RulesError(f"{chosen}: {exc}") from exc
