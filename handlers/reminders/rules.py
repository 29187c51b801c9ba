"""SOP sequences and reminder rules: data (config/reminders.toml) and when each falls due.

Everything here is pure: given the moment something happened, when is the reminder due.
The service wires them to events; which rules are wired is said in config/reminders.toml,
which seeds the ``reminders`` rule set of the rules store (kept as its TOML's JSON).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from bot.deps import ComponentKey
from bot.store.rules_files import read_document, read_file, write_json
from bot.store.rules_live import LiveRules, RuleSet, RulesInvalid

NAME: Final = "reminders"
DEFAULT_RULES: Final = Path(__file__).resolve().parents[2] / "config" / "reminders.toml"


@dataclass(frozen=True, slots=True)
class SopStep:
    """Day ``day`` after the add at ``at`` (or ``after_minutes`` after it): remind ``text``."""

    day: int
    text: str
    content: str = ""
    at: time | None = None
    after_minutes: int = 0

    def due(self, added: datetime) -> datetime:
        """When this step falls due for a customer added at ``added`` (local time)."""
        if self.at is None:
            return added + timedelta(days=self.day, minutes=self.after_minutes)
        day = added.date() + timedelta(days=self.day)
        return datetime.combine(day, self.at, tzinfo=added.tzinfo)


@dataclass(frozen=True, slots=True)
class Sop:
    """A sequence of steps for customers who came through ``channels`` (states)."""

    name: str
    title: str
    channels: tuple[str, ...]
    steps: tuple[SopStep, ...]


@dataclass(frozen=True, slots=True)
class DaysRule:
    """``days`` after something happened, at ``at``: silent customers, win-backs, birthdays."""

    enabled: bool
    days: int
    at: time
    text: str

    def due(self, since: datetime) -> datetime:
        """``days`` days after ``since`` (local), at ``at``."""
        return datetime.combine(
            since.date() + timedelta(days=self.days), self.at, tzinfo=since.tzinfo
        )


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A customer message no staff member answered within ``minutes`` of working hours."""

    enabled: bool
    minutes: int
    start: time
    end: time
    sources: tuple[str, ...]
    text: str

    def due(self, received: datetime) -> datetime:
        """``minutes`` of working time after ``received`` (local); the rest carries over."""

        def at(day: date, clock: time) -> datetime:
            return datetime.combine(day, clock, tzinfo=received.tzinfo)

        start = received
        if received < at(received.date(), self.start):
            start = at(received.date(), self.start)
        elif received >= at(received.date(), self.end):
            start = at(received.date() + timedelta(days=1), self.start)
        due = start + timedelta(minutes=self.minutes)
        closes = at(start.date(), self.end)
        if due <= closes:
            return due
        return at(start.date() + timedelta(days=1), self.start) + (due - closes)


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Every SOP sequence and rule."""

    sops: tuple[Sop, ...]
    silent: DaysRule
    win_back: DaysRule
    birthday: DaysRule  # days = days before the birthday
    unanswered: Unanswered
    group_deadline_hours: int
    group_deadline_text: str

    def sop_for(self, state: str | None) -> Sop | None:
        """The sequence for a channel: an exact match first, else a ``*`` sequence."""
        exact = [s for s in self.sops if state and state in s.channels]
        fallback = [s for s in self.sops if "*" in s.channels]
        chosen = exact or fallback
        return chosen[0] if chosen else None

    def birthday_due(self, birthday: date, now: datetime) -> datetime:
        """The next birthday (from ``now``, local) less ``birthday.days`` days, at its time."""
        for year in (now.year, now.year + 1, now.year + 2):
            try:
                day = birthday.replace(year=year) - timedelta(days=self.birthday.days)
            except ValueError:  # 29 February in a common year
                continue
            due = datetime.combine(day, self.birthday.at, tzinfo=now.tzinfo)
            if due > now:
                return due
        raise ValueError("no birthday within two years")

    def group_deadline_due(self, deadline: datetime) -> datetime:
        """``group_deadline_hours`` before a group task's deadline."""
        return deadline - timedelta(hours=self.group_deadline_hours)


def _clock(text: str) -> time:
    return time.fromisoformat(text)


def _days_rule(raw: Mapping[str, Any], days_key: str = "days") -> DaysRule:
    return DaysRule(
        bool(raw.get("enabled", False)),
        int(raw.get(days_key, 0)),
        _clock(str(raw.get("at", "09:00"))),
        str(raw.get("text", "")),
    )


def _sop(raw: Mapping[str, Any]) -> Sop:
    steps = tuple(
        SopStep(
            int(s["day"]),
            str(s["text"]),
            str(s.get("content", "")),
            _clock(s["at"]) if s.get("at") else None,
            int(s.get("after_minutes", 0)),
        )
        for s in raw.get("steps", [])
    )
    return Sop(
        str(raw["name"]),
        str(raw.get("title", raw["name"])),
        tuple(raw.get("channels", ["*"])),
        steps,
    )


def parse_rules(raw: Mapping[str, Any]) -> RuleBook:
    """A rule book from its TOML document."""
    rules = raw.get("rules", {})
    unanswered = rules.get("unanswered", {})
    start, _, end = str(unanswered.get("working_hours", "09:00-18:00")).partition("-")
    deadline = rules.get("group_deadline", {})
    return RuleBook(
        sops=tuple(_sop(s) for s in raw.get("sop", [])),
        silent=_days_rule(rules.get("silent", {})),
        win_back=_days_rule(rules.get("win_back", {})),
        birthday=_days_rule(rules.get("birthday", {}), "days_before"),
        unanswered=Unanswered(
            bool(unanswered.get("enabled", False)),
            int(unanswered.get("minutes", 30)),
            _clock(start),
            _clock(end),
            tuple(unanswered.get("sources", [])),
            str(unanswered.get("text", "")),
        ),
        group_deadline_hours=int(deadline.get("hours_before", 24)),
        group_deadline_text=str(deadline.get("text", "")),
    )


def load_rules(path: Path | None = None) -> RuleBook:
    """The rule book in ``path`` (default: the shipped config/reminders.toml)."""
    with (path or DEFAULT_RULES).open("rb") as file:
        return parse_rules(tomllib.load(file))


# The live reminder rules and SOP of this process (ReminderService.rules reads them).
REMINDER_RULES: Final = ComponentKey[LiveRules[RuleBook]]("reminder_rules")


def _checked(doc: Any) -> Any:
    """A reminders document that parses into a rule book (``RulesInvalid`` says why not)."""
    if not isinstance(doc, dict):
        raise RulesInvalid("rules reminders: expected a table of [[sop]] and [rules]")
    try:
        parse_rules(doc)
        return json.loads(json.dumps(doc))
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise RulesInvalid(f"rules reminders: {type(exc).__name__}: {exc}") from exc


def reminder_rule_set(defaults_file: Path | None = None) -> RuleSet[RuleBook]:
    """SOP sequences and reminder rules, seeded from ``[reminders] rules_file``."""

    def read(directory: Path) -> Any | None:
        doc = read_document(directory, NAME)
        return None if doc is None else _checked(doc)

    return RuleSet(
        name=NAME,
        normalize=_checked,
        compile=parse_rules,
        read=read,
        write=lambda doc, directory: write_json(directory, NAME, doc),
        defaults=lambda: read_file(defaults_file or DEFAULT_RULES),
    )
