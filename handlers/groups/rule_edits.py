"""Group rules edited one item at a time (an SOP rule, a welcome template's text) inside the
versioned ``groups`` document: every write carries the version it read, so a stale edit is
``StaleVersion`` (412 in the API, a conflict message in the console), never an overwrite.

The rules store records each write in the audit log with its diff (bot/store/rules.py).
"""

from __future__ import annotations

from typing import Any

from bot.store.rules import StaleVersion
from bot.store.rules_live import LiveRules
from handlers.groups.rules import GroupRules, GroupSop


class SopExists(ValueError):
    """Another SOP rule already has this name."""


class SopMissing(LookupError):
    """No SOP rule (or welcome template) has this name."""


async def current(live: LiveRules[GroupRules]) -> tuple[GroupRules, int]:
    """The group rules as stored, and their version (the defaults are seeded first)."""
    document, version = await _document(live)
    return GroupRules.model_validate(document), version


async def _document(live: LiveRules[GroupRules]) -> tuple[dict[str, Any], int]:
    document, version = await live.store.get(live.name)
    if document is None:
        await live.seed()
        document, version = await live.store.get(live.name)
    return dict(document or {}), version


def find_sop(rules: GroupRules, name: str) -> GroupSop | None:
    """The SOP rule named ``name``."""
    return next((sop for sop in rules.sop if sop.name == name), None)


async def save_sop(
    live: LiveRules[GroupRules],
    sop: GroupSop,
    expected_version: int,
    actor: str,
    *,
    replacing: str | None = None,
) -> int:
    """Add ``sop`` (``replacing`` None) or replace the rule named ``replacing``; the new
    version. SopExists, SopMissing, StaleVersion, RulesInvalid say why not."""
    document, version = await _document(live)
    if version != expected_version:
        raise StaleVersion(live.name, expected_version, version)
    rules = list(document.get("sop", []))
    names = [str(rule.get("name", "")) for rule in rules]
    shown = sop.model_dump(mode="json")
    if replacing is None:
        if sop.name in names:
            raise SopExists(sop.name)
        rules.append(shown)
    else:
        if replacing not in names:
            raise SopMissing(replacing)
        if sop.name != replacing and sop.name in names:
            raise SopExists(sop.name)
        rules[names.index(replacing)] = shown
    return await live.replace({**document, "sop": rules}, expected_version, actor)


async def save_welcome_text(
    live: LiveRules[GroupRules], name: str, text: str, expected_version: int, actor: str
) -> int:
    """Change the text of the group welcome template ``name``; the new version."""
    document, version = await _document(live)
    if version != expected_version:
        raise StaleVersion(live.name, expected_version, version)
    templates = [dict(t) for t in document.get("welcome_templates", [])]
    found = [t for t in templates if t.get("name") == name]
    if not found:
        raise SopMissing(name)
    found[0]["text"] = text
    return await live.replace({**document, "welcome_templates": templates}, expected_version, actor)
