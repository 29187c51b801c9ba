"""Hypothesis strategies from the JSON schemas pydantic writes (the subset the document uses).

hypothesis-jsonschema does this in general, but its object strategy breaks on current
hypothesis releases; the admin API's schemas need only this much.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

_TEXT = st.text(max_size=12)
_ANY = st.none() | st.booleans() | st.integers(-5, 5) | _TEXT


def strategy(schema: dict[str, Any], root: dict[str, Any], depth: int = 0) -> Any:  # noqa: C901, PLR0911
    """Values valid against ``schema`` (refs resolved in ``root``); depth keeps them small."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return strategy(root["components"]["schemas"][name], root, depth + 1)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([strategy(s, root, depth + 1) for s in schema[key]])
    kind = schema.get("type")
    if kind is None:
        return _ANY
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        low = schema.get("minimum", schema.get("exclusiveMinimum", -(2**31) - 1) + 1)
        high = schema.get("maximum", schema.get("exclusiveMaximum", 2**31 + 1) - 1)
        return st.integers(low, high)
    if kind == "number":
        return st.floats(schema.get("minimum", -1e6), schema.get("maximum", 1e6), allow_nan=False)
    if kind == "string":
        return _string(schema)
    if kind == "array":
        items = strategy(schema.get("items", {}), root, depth + 1)
        most = min(schema.get("maxItems", 3), 0 if depth > 4 else 3)
        least = schema.get("minItems", 0)
        return st.lists(items, min_size=least, max_size=max(most, least))
    return _object(schema, root, depth)


def _string(schema: dict[str, Any]) -> Any:
    if schema.get("format") == "date-time":
        start = datetime(2026, 1, 1, tzinfo=UTC)
        return st.integers(0, 10**8).map(lambda s: (start + timedelta(seconds=s)).isoformat())
    low, high = schema.get("minLength", 0), schema.get("maxLength", 12)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(
            lambda s: low <= len(s) <= high
        )
    return st.text(min_size=low, max_size=min(high, low + 12))


def _object(schema: dict[str, Any], root: dict[str, Any], depth: int) -> Any:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fields = {
        name: strategy(s, root, depth + 1) for name, s in properties.items() if name in required
    }
    optional = {
        name: strategy(s, root, depth + 1)
        for name, s in properties.items()
        if name not in required and depth < 4
    }
    extra = schema.get("additionalProperties")
    if not properties and isinstance(extra, dict):
        return st.dictionaries(_TEXT, strategy(extra, root, depth + 1), max_size=2)
    return st.fixed_dictionaries(fields, optional=optional)
