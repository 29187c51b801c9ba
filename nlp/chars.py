"""Per-character canonical forms: the tables behind normalization.

Every character of a message is looked up once per process and cached: NFKC (full-width to
half-width, compatibility forms), case fold, accents off Latin letters, look-alike letters
from other scripts, digit variants (①, ❶, ⑴, ➀, ٣), hearts that stand for 心, and traditional to
simplified characters. The result is one of: a single canonical character, ``NOISE`` (skipped
inside a word), ``SOFT`` (a dot or tilde whose role depends on its neighbours, see
``normalize``), or ``EXPAND`` (several characters, e.g. ⑽ → 10; handled on the slow path).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
import unicodedata
from typing import Final

NOISE: Final = "\x00"
SOFT: Final = "\x01"
EXPAND: Final = "\x02"

# Sentence punctuation and line breaks: kept in the normalized text, never crossed by a match.
# Full-width ones stay full-width: most messages then need no work at all (``IDENTITY``).
BOUNDARIES: Final = frozenset(",。!?;:、\n\r\u2028\u2029，！？；：")
# Evaders spell 信 as a heart (微❤ = 微心 ~ 微信); 心 keeps the sound-alike reachable.
_HEARTS: Final = "❤♥♡❣💗💓💕💖💘💝💞💟🧡💛💚💙💜🖤🤍🤎🩷🩵🩶"
# Letters of other scripts that look like Latin ones (after case folding).
_LOOKALIKES: Final = {
    "а": "a",
    "в": "b",
    "е": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԛ": "q",
    "ԝ": "w",
    "ν": "v",
    "ο": "o",
    "α": "a",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "κ": "k",
    "ι": "i",
    "ϲ": "c",
    "ɑ": "a",
    "ɡ": "g",
    "ⅴ": "v",
    "ⅹ": "x",
}
_SPECIAL: Final = (
    {
        "…": "。",
        "⋯": "。",  # an ellipsis ends a clause
        "+": "加",
        "＋": "加",
        "﹢": "加",  # +V, +微 = 加V, 加微
        "~": SOFT,
        ".": SOFT,
    }
    | {c: c for c in "，！？；：、。"}
    | dict.fromkeys(_HEARTS, "心")
)
_LETTER_NAME: Final = re.compile(r"(?:LATIN (?:CAPITAL|SMALL) LETTER|SYMBOL LETTER) ([A-Z])$")
# Chinese numerals, for the digit view that contact detection reads (not the word view:
# 第一 and 一定 must stay words).
CHINESE_DIGITS: Final = str.maketrans(
    "零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖幺两洞", "0012345678912345678912" + "0"
)


@functools.cache
def t2s_table() -> dict[str, str]:
    """Traditional (and variant) characters to simplified ones, character by character.

    zhconv's own table (zh2Hans, then the zh2CN overrides), read directly: zhconv's loader
    leaves its file open.
    """
    data = json.loads(importlib.resources.files("zhconv").joinpath("zhcdict.json").read_bytes())
    pairs = [*data["zh2Hans"].items(), *data["zh2CN"].items()]
    return {a: b for a, b in pairs if len(a) == 1 and len(b) == 1 and a != b}


def _number(ch: str) -> str | None:
    """❶ → 1, ⑩ → 10, ➉ → 10: the digits a numeric symbol stands for."""
    value = unicodedata.numeric(ch, -1.0)
    if value < 0 or value != int(value) or value > 50:  # noqa: PLR2004 - circled numbers end at 50
        return None
    return str(int(value))


def _canonical(ch: str) -> str:
    """The canonical form of one character (may be several characters, or empty)."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    category = unicodedata.category(ch)
    if category in {"No", "Nd"} and (digits := _number(ch)) is not None:  # ①, ٣, ३: digits
        return digits
    folded = unicodedata.normalize("NFKC", ch).casefold()
    if len(folded) == 1:
        folded = _LOOKALIKES.get(folded, folded)
        if not folded.isascii() and folded.isalpha():
            base = unicodedata.normalize("NFD", folded)[0]
            folded = base if base.isascii() else t2s_table().get(folded, folded)
    if not any(c.isalnum() for c in folded):
        name = unicodedata.name(ch, "")
        if match := _LETTER_NAME.search(name):  # 🅥, 🇻: letters drawn as symbols
            return match.group(1).lower()
        if folded and all(c in BOUNDARIES or c in _SPECIAL for c in folded):
            return _SPECIAL.get(folded[0], folded[0])
        return ""
    return "".join(c for c in folded if c.isalnum())


class _Table(dict[int, str]):
    """A ``str.translate`` table filled on first sight of each character."""

    __slots__ = ()

    def __missing__(self, code: int) -> str:
        form = _canonical(chr(code))
        if form in {SOFT, "\n", "\r"} or (len(form) == 1 and form in BOUNDARIES):
            mark = form
        elif not form:
            mark = NOISE
        elif len(form) == 1:
            mark = form
        else:
            mark = EXPAND
            EXPANSIONS[chr(code)] = form
        self[code] = mark
        return mark


_CJK_FIRST: Final = 0x4E00
_CJK_END: Final = 0xA000  # CJK Unified Ideographs: no compatibility forms, only t2s changes


@functools.cache
def changed() -> re.Pattern[str]:
    """Matches any character that normalization changes or drops: a message without one is
    its own normalized form (most messages: lower-case Latin, digits, simplified Chinese and
    sentence punctuation)."""
    traditional = t2s_table()
    ranges: list[str] = []
    start: int | None = None
    for code in range(_CJK_FIRST, _CJK_END + 1):
        same = code < _CJK_END and chr(code) not in traditional
        if same and start is None:
            start = code
        elif not same and start is not None:
            ranges.append(f"{chr(start)}-{chr(code - 1)}")
            start = None
    kept = re.escape("".join(sorted(BOUNDARIES - {"\r", "\u2028", "\u2029"})))
    return re.compile(f"[^a-z0-9{''.join(ranges)}{kept}]")


EXPANSIONS: Final[dict[str, str]] = {}
TABLE: Final = _Table()
