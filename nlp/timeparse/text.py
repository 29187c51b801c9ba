"""The message as the patterns read it, and Chinese numerals as numbers."""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
import unicodedata
from typing import Final

NUM: Final = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)"
_DIGITS: Final = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS: Final = {"十": 10, "百": 100}
# A space matters only between two ASCII letters or digits (2027-01-03 15:30, "call Tom").
_SPACE: Final = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")


@functools.cache
def _simplified() -> dict[int, str]:
    """zhconv's traditional → simplified table, one character for one (三點 → 三点, 回訪 → 回访).

    Read directly, as nlp/chars.py does: zhconv's loader leaves its file open.
    """
    data = json.loads(importlib.resources.files("zhconv").joinpath("zhcdict.json").read_bytes())
    pairs = data["zh2Hans"].items()
    return {ord(a): b for a, b in pairs if len(a) == 1 and len(b) == 1 and a != b}


def normalize(text: str) -> str:
    """Full-width → ASCII (NFKC), traditional → simplified characters, spaces squeezed.

    Characters only, not regional vocabulary: the task keeps the staff member's words.
    """
    text = unicodedata.normalize("NFKC", text).translate(_simplified())
    return _SPACE.sub("", re.sub(r"\s+", " ", text.strip()))


def cn_number(text: str) -> float:
    """``15``, ``1.5``, ``十五``, ``三十一``, ``两``, ``零五``, ``一百零五`` as a number."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    total = pending = 0
    for char in text:
        if char in _UNITS:
            total += (pending or 1) * _UNITS[char]
            pending = 0
        else:
            pending = pending * 10 + _DIGITS[char]
    return total + pending


def cn_int(text: str | None) -> int | None:
    """``cn_number`` as a whole number; None stays None."""
    return None if text is None else int(cn_number(text))
