"""The layout's dependency rules hold, and the check notices a wrong import."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.architecture import (
    KNOWN_DEBTS,
    OURS,
    imports_of,
    module_name,
    rule_broken,
    violations,
)
from tests.support.processes import PROJECT_ROOT


def test_the_layout_keeps_its_dependency_rules() -> None:
    found = violations(PROJECT_ROOT)
    assert found == [], "\n".join(map(str, found))


@pytest.mark.parametrize(
    ("importer", "imported", "rule"),
    [
        ("bot.queue", "handlers.intake.rules", "bot/ (wiring aside) imports no concern"),
        ("bot.store.keys", "handlers.tasks.model", "bot/ (wiring aside) imports no concern"),
        ("nlp.normalize", "bot.clock", "nlp imports nothing of siyu"),
        ("nlp.engine", "config.settings", "nlp imports nothing of siyu"),
        ("scheduler.runner", "handlers.reminders.service", "scheduler imports no handler"),
        ("handlers.moderation.rules", "handlers.tasks.model", "a concern imports no other concern"),
        (
            "handlers.customers.tags",
            "handlers.intake.rules",
            "the customer record imports no concern",
        ),
        ("handlers.tasks.sources", "handlers.customers.profiles", None),  # the shared record
        ("handlers.intake.welcome", "bot.deps", None),
        ("handlers.intake.welcome", "nlp", None),
        ("bot.app", "handlers", None),  # the wiring
        ("bot.cli.channels", "handlers.intake.live_codes", None),
        ("handlers", "handlers.intake.welcome", None),
        ("nlp.engine", "nlp.normalize", None),
        ("bot.queue", "redis.asyncio", None),
    ],
)
def test_each_rule(importer: str, imported: str, rule: str | None) -> None:
    assert rule_broken(importer, imported) == rule


def _copy_tree(tmp_path: Path) -> Path:
    for package in OURS:
        skipped = shutil.ignore_patterns("__pycache__", "*.toml", "*.txt")
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package, ignore=skipped)
    return tmp_path


def test_a_deliberately_wrong_import_fails_the_check(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    queue = root / "bot" / "queue.py"
    queue.write_text(queue.read_text("utf-8") + "\nfrom handlers.intake import rules\n", "utf-8")
    moderation = root / "handlers" / "moderation" / "cards.py"
    moderation.write_text(
        moderation.read_text("utf-8") + "\nimport handlers.tasks.model\n", "utf-8"
    )
    found = {(v.importer, v.imported, v.rule) for v in violations(root)}
    assert found == {
        ("bot.queue", "handlers.intake", "bot/ (wiring aside) imports no concern"),
        ("bot.queue", "handlers.intake.rules", "bot/ (wiring aside) imports no concern"),
        ("handlers.moderation.cards", "handlers.tasks.model", "a concern imports no other concern"),
    }


def test_every_known_debt_is_still_owed() -> None:
    """A debt paid off leaves the list, so the list never hides a new import."""
    imports: dict[str, set[str]] = {}
    for package in OURS:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text("utf-8"))
            imports[module_name(PROJECT_ROOT, path)] = set(imports_of(tree))
    for importer, owed in KNOWN_DEBTS:
        assert any(
            name == owed or name.startswith(f"{owed}.") for name in imports.get(importer, ())
        ), f"{importer} no longer imports {owed}: remove the debt"


@pytest.mark.parametrize(
    ("role", "loads_domain"),
    [("gateway", False), ("all", True), ("admin", True), ("worker", True)],
)
def test_a_gateway_alone_imports_no_concern(role: str, loads_domain: bool) -> None:
    """The internet-facing process loads the framework, never handlers/ (the domain)."""
    program = (
        "import sys\n"
        "from bot.app import Role, create_app\n"
        "from tests.conftest import make_settings\n"
        f"create_app(make_settings('redis://127.0.0.1:1/0'), role=Role({role!r}))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('handlers')}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == ("['handlers']" if loads_domain else "[]")
