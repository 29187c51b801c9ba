"""No Lua script builds a key name: every key a script touches arrives in KEYS.

Redis Cluster (and managed cluster offerings) route a script by its KEYS; a key built inside
the script may live on another shard, and the script then fails or touches the wrong node.
The scan finds every script (a string constant given to ``register_script(`` or ``eval(``)
and checks each ``redis.call``'s key arguments: a ``KEYS[...]`` expression or a local bound
from KEYS, never a concatenation or any other value.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import PROJECT_ROOT

_SOURCES = ("bot", "handlers", "scheduler", "nlp", "config", "bench")
_CALL = re.compile(r"redis\.p?call\s*\(")
_KEYS_EXPR = re.compile(r"^KEYS\s*\[.+\]$")
# Locals bound from KEYS: ``local k = KEYS[1]``, ``local a, b = KEYS[1], KEYS[2]``,
# ``for _, k in ipairs(KEYS)``.
_LOCAL = re.compile(r"local\s+([\w\s,]+?)\s*=\s*([^\n]+)")
_FOR_KEYS = re.compile(r"for\s+\w+\s*,\s*(\w+)\s+in\s+ipairs\s*\(\s*KEYS\s*\)")
_KEYLESS = frozenset({"TIME", "PING", "ECHO", "INFO", "DBSIZE"})
# Commands whose second (and more) arguments are keys too.
_MORE_KEYS = {"SMOVE": 2, "RPOPLPUSH": 2, "LMOVE": 2, "RENAME": 2, "RENAMENX": 2, "COPY": 2}


@dataclass(frozen=True, slots=True)
class Script:
    """One Lua script found in the code base."""

    where: str
    text: str


def _constants(tree: ast.Module) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        target: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign):
            target = node.target
        value = getattr(node, "value", None)
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            found[target.id] = value.value
    return found


def _script_argument(call: ast.Call, constants: dict[str, str]) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in {"register_script", "eval", "evalsha"} or not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.Name):
        return constants.get(first.id)
    return None


def scripts_in(root: Path) -> list[Script]:
    """Every Lua script passed to register_script/eval under ``root``'s packages."""
    found: list[Script] = []
    for package in _SOURCES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            constants = _constants(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    text = _script_argument(node, constants)
                    if text is not None and "redis." in text:
                        where = f"{path.relative_to(root)}:{node.lineno}"
                        found.append(Script(where, text))
    return found


def _arguments(text: str, start: int) -> list[str]:
    """The top-level, comma-separated arguments of the call whose '(' ends at ``start``."""
    depth, quote, current, out = 0, "", "", []
    for char in text[start:]:
        if quote:
            current += char
            quote = "" if char == quote else quote
            continue
        if char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                out.append(current.strip())
                return out
            depth -= 1
        elif char == "," and depth == 0:
            out.append(current.strip())
            current = ""
            continue
        current += char
    raise ValueError("unbalanced redis.call")


def _key_locals(text: str) -> set[str]:
    bound: set[str] = set(_FOR_KEYS.findall(text))
    for names, values in _LOCAL.findall(text):
        pairs = zip([n.strip() for n in names.split(",")], values.split(","), strict=False)
        bound.update(name for name, value in pairs if _KEYS_EXPR.match(value.strip()))
    return bound


def _from_keys(argument: str, bound: set[str]) -> bool:
    return bool(_KEYS_EXPR.match(argument)) or argument in bound


def built_keys(text: str) -> list[str]:
    """The redis.call key arguments of ``text`` that do not come from KEYS."""
    bound = _key_locals(text)
    problems: list[str] = []
    for match in _CALL.finditer(text):
        args = _arguments(text, match.end())
        command = args[0].strip("'\"").upper()
        if command in _KEYLESS:
            continue
        keys = args[1 : 1 + _MORE_KEYS.get(command, 1)]
        problems += [f"{command} {key}" for key in keys if not _from_keys(key, bound)]
    return problems


def test_the_scan_finds_the_code_bases_scripts() -> None:
    wheres = {script.where.split(":")[0] for script in scripts_in(PROJECT_ROOT)}
    assert {"bot/queue.py", "bot/wecom/limits.py", "handlers/reminders/repository.py"} <= wheres


@pytest.mark.parametrize("script", scripts_in(PROJECT_ROOT), ids=lambda s: s.where)
def test_no_script_builds_a_key_name(script: Script) -> None:
    assert built_keys(script.text) == [], script.where


@pytest.mark.parametrize(
    ("lua", "problems"),
    [
        ("redis.call('GET', prefix .. ':' .. id)", ["GET prefix .. ':' .. id"]),
        ("local key = ARGV[1]\nredis.call('INCR', key)", ["INCR key"]),
        ("redis.call('HSET', KEYS[1] .. id, 'a', 1)", ["HSET KEYS[1] .. id"]),
        ("redis.call('SMOVE', KEYS[1], 'other', 'm')", ["SMOVE 'other'"]),
        ("local k = KEYS[2]\nredis.call('DEL', k, KEYS[1])", []),
        ("for i, k in ipairs(KEYS) do redis.call('INCR', k) end", []),
        ("local t = redis.call('TIME')\nredis.call('SET', KEYS[i + 1], t[1])", []),
    ],
)
def test_the_scan_tells_a_built_key(lua: str, problems: list[str]) -> None:
    assert built_keys(lua) == problems
