"""Rule sets as files: how a rules directory holds them, for seeding, import and export.

A set validated by a pydantic model is one file, ``<name>.json`` (what export writes) or
``<name>.toml`` (what config/ ships and people write by hand); JSON wins when both exist.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.store.rules_live import RuleSet, RulesInvalid

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def read_document(directory: Path, name: str) -> Any | None:
    """``<name>.json`` or ``<name>.toml`` of ``directory``, parsed; None when neither exists."""
    for path, parse in ((directory / f"{name}.json", _json), (directory / f"{name}.toml", _toml)):
        if path.is_file():
            return read_file(path, parse)
    return None


def read_file(path: Path, parse: Callable[[bytes], Any] | None = None) -> Any:
    """One rules file (JSON or TOML by its suffix), parsed; ``RulesInvalid`` names the file."""
    chosen = parse or (_json if path.suffix == ".json" else _toml)
    try:
        return chosen(path.read_bytes())
    except (OSError, ValueError) as exc:  # JSONDecodeError and TOMLDecodeError are ValueErrors
        raise RulesInvalid(f"{path}: {exc}") from exc


def write_json(directory: Path, name: str, doc: Any) -> None:
    """Write ``<name>.json`` (sorted keys, indented: diffs well in git)."""
    text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (directory / f"{name}.json").write_text(text, encoding="utf-8")


def validated(model: type[M], doc: Any, where: str) -> M:
    """``doc`` as ``model``; ``RulesInvalid`` with pydantic's errors, one per line."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or '(document)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise RulesInvalid(f"{where}: {problems}") from exc


def model_rule_set(
    name: str, model: type[M], compile_rules: Callable[[M], T], defaults_file: Callable[[], Path]
) -> RuleSet[T]:
    """A rule set validated by a pydantic model, one file per directory, seeded from a file."""

    def normalize(doc: Any) -> Any:
        return validated(model, doc, f"rules {name}").model_dump(mode="json")

    def read(directory: Path) -> Any | None:
        doc = read_document(directory, name)
        return (
            None
            if doc is None
            else validated(model, doc, str(directory / name)).model_dump(mode="json")
        )

    def defaults() -> Any:
        path = defaults_file()
        return validated(model, read_file(path), str(path)).model_dump(mode="json")

    return RuleSet(
        name=name,
        normalize=normalize,
        compile=lambda doc: compile_rules(validated(model, doc, f"rules {name}")),
        read=read,
        write=lambda doc, directory: write_json(directory, name, doc),
        defaults=defaults,
    )


def _json(data: bytes) -> Any:
    return json.loads(data)


def _toml(data: bytes) -> Any:
    return tomllib.loads(data.decode("utf-8"))
