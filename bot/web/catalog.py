"""The console's one string catalog: every UI string in Simplified Chinese (zh_CN.toml)."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Final

CATALOG_FILE: Final = Path(__file__).with_name("zh_CN.toml")


class Catalog:
    """Strings by dotted key (``nav.dashboard``); a missing key is a bug and raises KeyError."""

    def __init__(self, strings: Mapping[str, str]) -> None:
        self.strings = dict(strings)

    @classmethod
    def load(cls, path: Path = CATALOG_FILE) -> Catalog:
        """Read a catalog file: TOML tables of strings."""
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        return cls(
            {
                f"{section}.{key}": str(text)
                for section, table in data.items()
                for key, text in table.items()
            }
        )

    def __call__(self, key: str, **values: object) -> str:
        """The string of ``key``, with ``{name}`` placeholders filled from ``values``."""
        text = self.strings[key]
        return text.format(**values) if values else text


@functools.cache
def zh_cn() -> Catalog:
    """The zh-CN catalog, read once."""
    return Catalog.load()
