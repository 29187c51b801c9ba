"""The dependency rules of siyu's layout, as code: which package may import which.

Layers, top to bottom: the wiring (bot.app, bot.runtime, bot.cli, bot.demo, handlers/__init__)
→ handlers.<concern> → handlers.customers (the shared customer record) → scheduler →
the framework (bot.*) → nlp. A concern never imports another concern; nlp imports nothing
of siyu; bot.store imports no concern; scheduler imports no handler.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

OURS: Final = ("bot", "handlers", "nlp", "scheduler", "config")
# the wiring: it builds the concerns and hands each the others' services (sidebar_services
# adapts reminders, tasks and groups to the sidebar's Protocols)
WIRING: Final = (
    "bot.app",
    "bot.runtime",
    "bot.cli",
    "bot.demo",
    "handlers",
    "handlers.sidebar_services",
)
SHARED_CONCERN: Final = "customers"  # every concern may read the customer record

# Imports that break a rule today and are owed a fix (each names why it is still here).
KNOWN_DEBTS: Final[frozenset[tuple[str, str]]] = frozenset()


@dataclass(frozen=True, slots=True)
class Violation:
    """``importer`` imports ``imported``, which ``rule`` forbids."""

    importer: str
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.importer} imports {self.imported}: {self.rule}"


def module_name(root: Path, path: Path) -> str:
    """The dotted module name of ``path`` under ``root``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(tree: ast.AST) -> Iterator[str]:
    """Every absolute module an import statement names (``from a import b``: a and a.b)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def concern_of(module: str) -> str | None:
    """``intake`` for ``handlers.intake.rules``; None outside handlers' concern packages."""
    parts = module.split(".")
    return parts[1] if parts[0] == "handlers" and len(parts) > 2 else None


def _is_wiring(module: str) -> bool:
    return module == "handlers" or any(
        module == w or module.startswith(f"{w}.") for w in WIRING if w != "handlers"
    )


def rule_broken(importer: str, imported: str) -> str | None:
    """Which rule ``importer`` → ``imported`` breaks, or None."""
    if not imported.startswith(OURS) or _is_wiring(importer):
        return None
    top, target_top = importer.split(".", maxsplit=1)[0], imported.split(".", maxsplit=1)[0]
    own, target = concern_of(importer), concern_of(imported)
    broken = {
        "nlp imports nothing of siyu": top == "nlp" and target_top != "nlp",
        "bot/ (wiring aside) imports no concern": top == "bot" and target_top == "handlers",
        "scheduler imports no handler": top == "scheduler" and target_top == "handlers",
        "the customer record imports no concern": bool(
            own == SHARED_CONCERN and target and target != SHARED_CONCERN
        ),
        "a concern imports no other concern": bool(
            own and target and target not in {own, SHARED_CONCERN}
        ),
    }
    return next((rule for rule, hit in broken.items() if hit), None)


def _owed(importer: str, imported: str) -> bool:
    return any(
        importer == debtor and (imported == owed or imported.startswith(f"{owed}."))
        for debtor, owed in KNOWN_DEBTS
    )


def violations(root: Path, packages: Iterable[str] = OURS) -> list[Violation]:
    """Every import under ``root``'s packages that breaks a rule and is not a known debt."""
    found: list[Violation] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            importer = module_name(root, path)
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for imported in sorted(set(imports_of(tree))):
                rule = rule_broken(importer, imported)
                if rule and not _owed(importer, imported):
                    found.append(Violation(importer, imported, rule))
    return found
