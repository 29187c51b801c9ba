"""The excerpt a reviewer sees: the hits in 【】 with a little context, no more than needed.

Pure. Offsets are the analyzer's (into the original text). Line breaks and tabs become
spaces so the excerpt is one line on a card.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

OPEN, CLOSE, CUT = "【", "】", "…"
MAX_CHARS: Final = 60  # of the original text shown (a card's line is short)
MAX_HIT_CHARS: Final = 30  # a hit longer than this (a long URL) is shortened inside 【】


def _merged(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def _hit(text: str) -> str:
    shown = text if len(text) <= MAX_HIT_CHARS else text[: MAX_HIT_CHARS - 1] + CUT
    return OPEN + _one_line(shown) + CLOSE


def excerpt(
    text: str, spans: Iterable[tuple[int, int]], context: int = 10, max_chars: int = MAX_CHARS
) -> str:
    """``text`` around ``spans`` with each span in 【】; "…" where text was left out.

    The window starts ``context`` characters before the first hit and takes the following
    hits while it stays within ``max_chars``.
    """
    hits = _merged(spans, len(text))
    if not hits:
        return _one_line(text[:max_chars]) + (CUT if len(text) > max_chars else "")
    start = max(0, hits[0][0] - context)
    shown = [hits[0]]
    for span in hits[1:]:
        if span[1] + context - start > max_chars:
            break
        shown.append(span)
    end = min(len(text), shown[-1][1] + context)
    parts = [CUT] if start > 0 else []
    cursor = start
    for hit_start, hit_end in shown:
        parts.extend((_one_line(text[cursor:hit_start]), _hit(text[hit_start:hit_end])))
        cursor = hit_end
    parts.append(_one_line(text[cursor:end]))
    if end < len(text):
        parts.append(CUT)
    return "".join(parts)


def shortened(text: str, limit: int = 40) -> str:
    """One line of at most ``limit`` characters (prompts quote the customer this way)."""
    line = " ".join(_one_line(text).split())
    return line if len(line) <= limit else line[: limit - 1] + CUT
