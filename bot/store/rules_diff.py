"""The diff of two JSON documents, as the audit log records it.

Objects are compared key by key down to the values that differ; a change is
``{"path": "/channels/poster_a/welcome/text", "old": ..., "new": ...}`` (``old`` missing for
an addition, ``new`` for a removal). Lists of strings and texts of several lines (word lists)
are compared by their items or lines: ``{"path", "added": [...], "removed": [...]}``, so
adding one keyword to a list of 400 records one word, not the list.
"""

from __future__ import annotations

from typing import Any

Change = dict[str, Any]


def json_diff(old: Any, new: Any, path: str = "") -> list[Change]:
    """What changed from ``old`` to ``new`` (empty when they are equal)."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[Change] = []
        for key in sorted(old.keys() | new.keys()):
            where = f"{path}/{_escape(str(key))}"
            if key not in new:
                changes.append({"path": where, "old": old[key]})
            elif key not in old:
                changes.append({"path": where, "new": new[key]})
            else:
                changes.extend(json_diff(old[key], new[key], where))
        return changes
    items = _items(old), _items(new)
    if items[0] is not None and items[1] is not None:
        before, after = set(items[0]), set(items[1])
        added = [item for item in items[1] if item not in before]
        removed = [item for item in items[0] if item not in after]
        if added or removed:
            return [{"path": path or "/", "added": added, "removed": removed}]
        return [{"path": path or "/", "reordered": True}]
    return [{"path": path or "/", "old": old, "new": new}]


def _items(value: Any) -> list[str] | None:
    """A list of strings as is, a text of several lines as its lines; else None."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    if isinstance(value, str) and "\n" in value:
        return value.splitlines()
    return None


def _escape(key: str) -> str:
    """A JSON Pointer reference token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
