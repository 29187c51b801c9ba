"""``siyu rules export|import DIR``: the rule sets as files, for teams that keep rules in git.

Export writes every rule set: ``<name>.json`` per set, the word lists as ``nlp/`` (as in
config/). Import reads the sets a directory holds (``<name>.json`` or ``<name>.toml``, and
``nlp/``), so config/ itself imports; every file is validated and compiled first, and only
if all pass are they written, in one transaction: a bad file is named with its problem and
nothing changes.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.metrics import Metrics
from bot.store.rules import RulesStore, StaleVersion, Write
from bot.store.rules_live import RuleSet, RulesInvalid
from config.settings import Settings

Result = tuple[int, list[str]]
ACTOR = "cli"


def add_rules_arguments(
    parser: argparse.ArgumentParser, add_config: Callable[[argparse.ArgumentParser], None]
) -> None:
    """``rules export DIR`` and ``rules import DIR``."""
    actions = parser.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    helps = {
        "export": "write every rule set into DIR",
        "import": "validate the rule sets in DIR, then store them all",
    }
    for name, text in helps.items():
        action = actions.add_parser(name, help=text)
        action.add_argument("directory", metavar="DIR")
        add_config(action)


def run_rules(settings: Settings, args: argparse.Namespace) -> Result:
    """Run one ``siyu rules`` action."""
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> Result:
    from bot.runtime import running  # noqa: PLC0415 - keeps `siyu --help` fast
    from handlers import build_components, rule_sets  # noqa: PLC0415

    clock = SystemClock()
    # the components seed an empty store
    async with running(settings, clock, None, Metrics(), components=build_components) as runtime:
        store = RulesStore(runtime.redis, settings.wecom.corp_id, clock)
        directory = Path(args.directory)
        if args.rules_command == "export":
            return await export_rules(store, rule_sets(settings), directory)
        return await import_rules(store, rule_sets(settings), directory)


async def export_rules(store: RulesStore, sets: Sequence[RuleSet[Any]], directory: Path) -> Result:
    """Write every stored rule set into ``directory``."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    lines = []
    for rule_set in sets:
        doc, version = await store.get(rule_set.name)
        if version == 0:
            lines.append(f"{rule_set.name}: not in the store yet, skipped")
            continue
        await asyncio.to_thread(rule_set.write, doc, directory)
        lines.append(f"{rule_set.name}: version {version} written")
    return 0, lines


async def import_rules(
    store: RulesStore, sets: Sequence[RuleSet[Any]], directory: Path, actor: str = ACTOR
) -> Result:
    """Validate every rule set ``directory`` holds, then store them all or none."""
    if not await asyncio.to_thread(directory.is_dir):
        return 1, [f"{directory}: no such directory"]
    found: dict[str, Any] = {}
    errors: list[str] = []
    for rule_set in sets:
        try:
            doc = await asyncio.to_thread(_checked, rule_set, directory)
        except RulesInvalid as exc:
            errors.append(str(exc))
            continue
        if doc is not None:
            found[rule_set.name] = doc
    if errors:
        return 1, [*errors, "nothing was imported"]
    writes: dict[str, Write] = {}
    for name, doc in found.items():
        stored, version = await store.get(name)
        if stored != doc:
            writes[name] = Write(doc, version)
    try:
        await store.put_many(writes, actor, "rules.import")
    except StaleVersion as exc:
        return 1, [str(exc), "nothing was imported"]
    return 0, [f"{name}: {'imported' if name in writes else 'unchanged'}" for name in found]


def _checked(rule_set: RuleSet[Any], directory: Path) -> Any | None:
    """The set's document in ``directory``, validated and compiled (None: the set is absent)."""
    doc = rule_set.read(directory)
    if doc is None:
        return None
    normalized = rule_set.normalize(doc)
    try:
        rule_set.compile(normalized)
    except ValueError as exc:  # RulesInvalid included
        raise RulesInvalid(f"{directory}: {rule_set.name}: {exc}") from exc
    return normalized
