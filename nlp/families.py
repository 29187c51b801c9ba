"""Variant families: one concept, many spellings, some of them generated from pinyin.

A family names its canonical ``words``, the ``evasions`` seen in the wild, and optionally its
``pinyin`` (``"wei xin"``). From the pinyin the family also spells itself as evaders type it:
each character as itself, as its syllable or as its initial (wei信, 微xin, wx, weixin), and one
character at a time replaced by a common character that sounds the same (威信, 微芯, 薇信).
Common means GB2312 level 1 (the 3,755 most used characters), less ``sound_stop_chars``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from nlp.errors import ListError
from nlp.homophones import syllables

_SYLLABLE: Final = re.compile(r"[a-z]+")
_MAX_GENERATED: Final = 5000
_RETROFLEX: Final = frozenset({"zh", "ch", "sh"})


@dataclass(frozen=True, slots=True)
class Family:
    """A concept and its spellings."""

    name: str
    words: tuple[str, ...]
    evasions: tuple[str, ...] = ()
    pinyin: tuple[str, ...] = ()
    contact: str | None = None  # "wechat" or "qq": numbers after it are contact ids

    def spellings(self, *, evasive_only: bool, stop_chars: str = "") -> frozenset[str]:
        """Every spelling; with ``evasive_only`` the ones nobody writes innocently."""
        generated = self._generated(stop_chars)
        if evasive_only:
            mixed = {s for s in generated if any(c.isascii() for c in s)}
            return frozenset(self.evasions) | mixed
        return frozenset(self.words) | frozenset(self.evasions) | generated

    def _generated(self, stop_chars: str) -> frozenset[str]:
        base = next((w for w in self.words if len(w) == len(self.pinyin)), None)
        if not self.pinyin or base is None:
            return frozenset()
        spelled = [
            (ch, syllable, _initial(syllable))
            for ch, syllable in zip(base, self.pinyin, strict=True)
        ]
        out = {"".join(parts) for parts in itertools.product(*spelled)}
        for i, syllable in enumerate(self.pinyin):
            for alike in homophones(syllable):
                if alike not in stop_chars and alike != base[i]:
                    out.add(base[:i] + alike + base[i + 1 :])
            if len(out) > _MAX_GENERATED:
                break
        out.discard(base)
        return frozenset(out)


def _initial(syllable: str) -> str:
    """zhi → zh, fu → f: how the syllable is typed as an abbreviation."""
    return syllable[:2] if syllable[:2] in _RETROFLEX and syllable[2:] else syllable[0]


def homophones(syllable: str) -> str:
    """Common characters read ``syllable`` (tones ignored)."""
    return syllables().get(syllable, "")


def parse_families(data: Mapping[str, object], where: str) -> dict[str, Family]:
    """families.toml: ``[families.NAME]`` tables with words, evasions, pinyin, contact."""
    table = data.get("families", {})
    if not isinstance(table, dict):
        raise ListError(f"{where}: [families] must be a table")
    families: dict[str, Family] = {}
    for name, spec in table.items():
        if not isinstance(spec, dict):
            raise ListError(f"{where}: [families.{name}] must be a table")
        lists = {}
        for key in ("words", "evasions"):
            value = spec.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ListError(f"{where}: families.{name}.{key} must be a list of strings")
            lists[key] = tuple(value)
        pinyin = spec.get("pinyin", "")
        contact = spec.get("contact")
        if not isinstance(pinyin, str) or not all(_SYLLABLE.fullmatch(s) for s in pinyin.split()):
            raise ListError(f"{where}: families.{name}.pinyin must be syllables like 'wei xin'")
        if contact is not None and contact not in {"wechat", "qq"}:
            raise ListError(f"{where}: families.{name}.contact must be 'wechat' or 'qq'")
        if not lists["words"]:
            raise ListError(f"{where}: families.{name} needs at least one word")
        families[name] = Family(
            name, lists["words"], lists["evasions"], tuple(pinyin.split()), contact
        )
    return families
