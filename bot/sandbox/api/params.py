"""Params: typed reads of a request's JSON body (or GET query); bad fields raise 40058."""

from __future__ import annotations

from collections.abc import Mapping

from bot.sandbox.errcodes import CONTENT_TOO_LONG, ApiError, invalid
from bot.sandbox.records import JsonMap


class Params:
    """The fields of one call, read with WeCom's validation."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        """Whether ``name`` is present and not null."""
        return self.raw.get(name) is not None

    def text(self, name: str, *, max_chars: int | None = None) -> str:
        """A required, non-empty string."""
        value = self.raw.get(name)
        if not isinstance(value, str) or not value:
            raise invalid(f"{name} is required")
        return self._capped(name, value, max_chars)

    def opt_text(self, name: str, default: str = "", *, max_chars: int | None = None) -> str:
        """An optional string."""
        value = self.raw.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise invalid(f"{name} must be a string")
        return self._capped(name, value, max_chars)

    def integer(self, name: str) -> int:
        """A required integer (a decimal string is accepted, as GET queries carry them)."""
        value = self.raw.get(name)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(f"{name} is required and must be an integer")
        return value

    def opt_int(
        self, name: str, default: int, *, low: int | None = None, high: int | None = None
    ) -> int:
        """An optional integer, range-checked when bounds are given."""
        value = self.integer(name) if self.has(name) else default
        if (low is not None and value < low) or (high is not None and value > high):
            raise invalid(f"{name} must be between {low} and {high}")
        return value

    def strings(
        self, name: str, *, required: bool = False, max_items: int | None = None
    ) -> list[str]:
        """A list of strings; ``required`` means present and non-empty."""
        value = self.raw.get(name)
        if value is None:
            if required:
                raise invalid(f"{name} is required")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(f"{name} must be a list of strings")
        if required and not value:
            raise invalid(f"{name} must not be empty")
        if max_items is not None and len(value) > max_items:
            raise invalid(f"{name} has {len(value)} items, at most {max_items} are allowed")
        return [str(v) for v in value]

    def obj(self, name: str, *, required: bool = False) -> JsonMap | None:
        """A JSON object field."""
        value = self.raw.get(name)
        if value is None:
            if required:
                raise invalid(f"{name} is required")
            return None
        if not isinstance(value, dict):
            raise invalid(f"{name} must be an object")
        return value

    def objects(self, name: str, *, max_items: int | None = None) -> list[JsonMap]:
        """A list of JSON objects."""
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise invalid(f"{name} must be a list of objects")
        if max_items is not None and len(value) > max_items:
            raise invalid(f"{name} has {len(value)} items, at most {max_items} are allowed")
        return list(value)

    def sub(self, name: str, *, required: bool = False) -> Params:
        """A nested object as Params (empty if absent and not required)."""
        return Params(self.obj(name, required=required) or {})

    @staticmethod
    def _capped(name: str, value: str, max_chars: int | None) -> str:
        if max_chars is not None and len(value) > max_chars:
            raise invalid(f"{name} is longer than {max_chars} characters")
        return value


def check_bytes(what: str, value: str, limit: int) -> None:
    """Refuse text over ``limit`` UTF-8 bytes (45002, unverified)."""
    size = len(value.encode("utf-8"))
    if size > limit:
        raise ApiError(CONTENT_TOO_LONG, f"{what} is {size} bytes, the limit is {limit}")
