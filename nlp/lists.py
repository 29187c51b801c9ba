"""Reading the word lists: a directory of plain-text lists and small TOML files.

Layout (``config/nlp`` by default)::

    families.toml            variant families: one concept, many spellings
    settings.toml            negation words, per-category options, contact detector options
    allow.txt                containment allowlist: a hit inside one of these is dropped
    sensitive/<category>[.<anything>].txt   one entry per line; the category is the stem
    intents/<intent>[.<anything>].txt       one cue per line, with an optional weight

A line is ``ENTRY [WEIGHT] [FLAG ...]``; ``#`` starts a comment. ``{微信}`` in an entry stands
for every spelling of the family 微信, ``{~微信}`` for its evasive spellings only;
``好评&红包`` matches 好评, then 红包 a few characters later in the same clause. Flags:
``token`` (jieba must see the entry as whole words), ``substring`` (never check boundaries),
``keep`` (negation before it does not cancel it), ``clause`` (the entry must be a whole
clause: a single character is allowed then, 滚 on its own).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from nlp.errors import ListError
from nlp.families import Family, parse_families

DEFAULT_DIR: Final = Path(__file__).resolve().parent.parent / "config" / "nlp"
_FLAGS: Final = frozenset({"token", "substring", "keep", "clause"})
_NO_FLAGS: Final[frozenset[str]] = frozenset()
_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_LAYOUT: Final = re.compile(r"(families|settings)\.toml|allow\.txt|(sensitive|intents)/[^/]+\.txt")


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a list: the entry as written, its weight and flags, where it came from."""

    text: str
    weight: float = 1.0
    flags: frozenset[str] = frozenset()
    source: str = ""


@dataclass(frozen=True, slots=True)
class Options:
    """settings.toml: what is not a word list."""

    negators: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    negatable: frozenset[str] = frozenset()
    asked: frozenset[str] = frozenset()  # categories a question cancels: 能根治吗 claims nothing
    min_score: float = 1.0
    question_markers: tuple[str, ...] = ()
    question_bonus: float = 0.0
    intent_order: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    not_phone_before: tuple[str, ...] = ()
    sound_stop_chars: str = ""


@dataclass(frozen=True, slots=True)
class Lists:
    """Everything read from a lists directory, before compilation."""

    families: Mapping[str, Family]
    sensitive: Mapping[str, tuple[Entry, ...]]
    intents: Mapping[str, tuple[Entry, ...]]
    allow: tuple[Entry, ...]
    options: Options
    fingerprint: tuple[tuple[str, int, int], ...] = field(default=())


def fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of every list file: changes when any file does."""
    out = []
    for path in sorted(_files(directory)):
        stat = path.stat()
        out.append((str(path.relative_to(directory)), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def _files(directory: Path) -> Iterator[Path]:
    for pattern in ("*.toml", "*.txt", "sensitive/*.txt", "intents/*.txt"):
        yield from directory.glob(pattern)


def load_lists(directory: Path) -> Lists:
    """Read a lists directory; raises ``ListError`` naming the file and line of any problem."""
    if not directory.is_dir():
        raise ListError(f"{directory}: no such lists directory")
    stamp = fingerprint(directory)
    lists = parse_lists(read_files(directory), str(directory))
    return Lists(lists.families, lists.sensitive, lists.intents, lists.allow, lists.options, stamp)


def read_files(directory: Path) -> dict[str, str]:
    """Every list file of a directory: its path relative to ``directory`` → its text."""
    files: dict[str, str] = {}
    for path in sorted(_files(directory)):
        if not _LAYOUT.fullmatch(path.relative_to(directory).as_posix()):
            continue
        try:
            files[path.relative_to(directory).as_posix()] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ListError(f"{path}: cannot read: {exc}") from exc
    return files


def parse_lists(files: Mapping[str, str], where: str = "") -> Lists:
    """The lists of a directory given as its files' texts (relative path → text).

    ``where`` prefixes the file names in errors: a directory, or the store's document.
    """
    prefix = f"{where}/" if where else ""
    for name in files:
        if not _LAYOUT.fullmatch(name):
            raise ListError(
                f"{prefix}{name}: not a lists file (families.toml, settings.toml, "
                "allow.txt, sensitive/<name>.txt, intents/<name>.txt)"
            )
    settings_name = f"{prefix}settings.toml"
    options = _options(_toml(files.get("settings.toml"), settings_name), Path(settings_name))
    families_name = f"{prefix}families.toml"
    families = parse_families(_toml(files.get("families.toml"), families_name), families_name)
    allow = (
        tuple(entries_of(files["allow.txt"], "allow.txt", prefix)) if "allow.txt" in files else ()
    )
    return Lists(
        families=families,
        sensitive=_grouped(files, "sensitive", prefix),
        intents=_grouped(files, "intents", prefix),
        allow=allow,
        options=options,
    )


def _grouped(files: Mapping[str, str], folder: str, prefix: str) -> dict[str, tuple[Entry, ...]]:
    groups: dict[str, list[Entry]] = {}
    for path in sorted(name for name in files if name.startswith(f"{folder}/")):
        file_name = path.split("/", 1)[1]
        name = file_name.split(".", 1)[0]
        if not _NAME.fullmatch(name):
            raise ListError(f"{prefix}{path}: the name must be lower-case letters, digits and _")
        groups.setdefault(name, []).extend(entries_of(files[path], file_name, f"{prefix}{folder}/"))
    return {name: tuple(entries) for name, entries in groups.items()}


def read_entries(path: Path) -> Iterator[Entry]:
    """The entries of one plain-text list."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ListError(f"{path}: cannot read: {exc}") from exc
    yield from entries_of(content, path.name, f"{path.parent}/")


def entries_of(content: str, name: str, prefix: str = "") -> Iterator[Entry]:
    """The entries of one plain-text list's text (``prefix`` + ``name`` in errors)."""
    for number, raw in enumerate(content.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        if " " not in line and "\t" not in line and "#" not in line:
            yield Entry(line, 1.0, _NO_FLAGS, f"{name}:{number}")  # most lines: one word
            continue
        yield _entry(f"{prefix}{name}", number, line.split("#", 1)[0].split())


def _entry(path: str, number: int, fields: list[str]) -> Entry:
    text, *rest = fields
    weight, flags = 1.0, set()
    for item in rest:
        if item in _FLAGS:
            flags.add(item)
            continue
        try:
            weight = float(item)
        except ValueError:
            raise ListError(
                f"{path}:{number}: {item!r} is neither a weight nor a flag "
                f"({', '.join(sorted(_FLAGS))})"
            ) from None
    return Entry(text, weight, frozenset(flags), f"{path.rsplit('/', 1)[-1]}:{number}")


def _toml(text: str | None, where: str) -> dict[str, object]:
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ListError(f"{where}: {exc}") from exc


def _strings(table: Mapping[str, object], key: str, where: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ListError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _table(settings: Mapping[str, object], key: str, where: Path) -> Mapping[str, object]:
    value = settings.get(key, {})
    if not isinstance(value, dict):
        raise ListError(f"{where}: [{key}] must be a table")
    return value


def _options(settings: Mapping[str, object], where: Path) -> Options:
    negation = _table(settings, "negation", where)
    sensitive = _table(settings, "sensitive", where)
    intent = _table(settings, "intent", where)
    contacts = _table(settings, "contacts", where)
    families = _table(settings, "families", where)
    min_score = intent.get("min_score", 1.0)
    bonus = intent.get("question_bonus", 0.0)
    if not isinstance(min_score, int | float) or not isinstance(bonus, int | float):
        raise ListError(f"{where}: intent.min_score and intent.question_bonus must be numbers")
    stop = families.get("sound_stop_chars", "")
    if not isinstance(stop, str):
        raise ListError(f"{where}: families.sound_stop_chars must be a string")
    return Options(
        negators=_strings(negation, "negators", where),
        fillers=_strings(negation, "fillers", where),
        negatable=frozenset(_strings(sensitive, "negatable", where)),
        asked=frozenset(_strings(sensitive, "questions_cancel", where)),
        min_score=float(min_score),
        question_markers=_strings(intent, "question_markers", where),
        question_bonus=float(bonus),
        intent_order=_strings(intent, "order", where),
        allowed_domains=_strings(contacts, "allowed_domains", where),
        not_phone_before=_strings(contacts, "not_phone_before", where),
        sound_stop_chars=stop,
    )
