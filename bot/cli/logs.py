"""``[log] format = "json"``: one JSON object per line, for log collectors."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """{"at", "level", "logger", "message"} (and "error" with a traceback) per record."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        shown = {
            "at": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            shown["error"] = self.formatException(record.exc_info)
        return json.dumps(shown, ensure_ascii=False)
