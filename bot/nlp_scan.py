"""``siyu nlp scan``: one message per stdin line in, one JSON analysis per line out."""

from __future__ import annotations


def run_scan(config_path: str | None, lists_dir: str | None) -> int:
    """Analyze stdin line by line (implementation follows)."""
    raise NotImplementedError
