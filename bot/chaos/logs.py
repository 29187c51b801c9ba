"""What the run's children logged at ERROR: counted for the report, the commonest named.

Children log at WARNING and above; an ERROR line or a traceback under chaos is worth a look
even when nothing was lost (it does not fail the run).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_TRACEBACK = "Traceback (most recent call last):"
_SHOWN_CHARS = 100


@dataclass(frozen=True, slots=True)
class LogErrors:
    """ERROR lines and tracebacks in the children's logs."""

    errors: int
    tracebacks: int
    commonest: str  # the commonest ERROR line (cut short), "" if none


def count_errors(lines: Iterable[str]) -> LogErrors:
    """Count ERROR lines (``logging``'s default and text formats) and tracebacks."""
    errors: Counter[str] = Counter()
    tracebacks = 0
    for line in lines:
        if line.startswith(_TRACEBACK):
            tracebacks += 1
        elif line.startswith("ERROR:") or " ERROR " in line[:40]:
            errors[line.strip()[:_SHOWN_CHARS]] += 1
    commonest = errors.most_common(1)[0][0] if errors else ""
    return LogErrors(errors.total(), tracebacks, commonest)


def read_logs(paths: Iterable[Path]) -> LogErrors:
    """``count_errors`` over every line of ``paths`` (missing files: none)."""

    def lines() -> Iterable[str]:
        for path in paths:
            if path.is_file():
                with path.open(encoding="utf-8", errors="replace") as log:
                    yield from log

    return count_errors(lines())
