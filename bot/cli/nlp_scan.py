"""``siyu nlp scan``: one message per stdin line in, one JSON analysis per line out.

How operators test their word lists, and how quality is measured::

    printf '加我v.x详聊\\n这个多少钱呀\\n' | siyu nlp scan
    {"text": "加我v.x详聊", "sensitive": [{"category": "diversion", ...}], "intent": null, ...}

The lists come from ``--lists DIR``, else ``[moderation] lists_dir`` of the settings file
(the lists the workers use), else the lists packaged with siyu (config/nlp).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from config.settings import config_path, load_settings
from nlp import DEFAULT_DIR, Analyzer, ListError


def _lists_dir(config: str | None, lists: str | None) -> Path:
    if lists is not None:
        return Path(lists)
    if config_path(config) is None:
        return DEFAULT_DIR
    configured = load_settings(config).moderation.lists_dir  # the lists the workers use
    return configured if configured is not None else DEFAULT_DIR


def scan(analyzer: Analyzer, source: BinaryIO, sink: TextIO) -> int:
    """Analyze each line of ``source`` and write its JSON line to ``sink``; returns the count."""
    count = 0
    for raw in source:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        record = {"text": text, **analyzer.analyze(text).to_dict()}
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        sink.flush()  # one answer per line as it comes: usable interactively and in pipes
        count += 1
    return count


def run_scan(config: str | None, lists: str | None) -> int:
    """The command: 0 when every line was analyzed, 2 when the lists cannot be loaded."""
    try:
        analyzer = Analyzer(_lists_dir(config, lists))
    except ListError as exc:
        print(f"siyu: word lists: {exc}", file=sys.stderr)
        return 2
    scan(analyzer, sys.stdin.buffer, sys.stdout)
    return 0
