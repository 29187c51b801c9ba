"""The audit log: who changed what, for every write through the admin API or the CLI.

One Redis stream per corp (``keys.audit``), one field ``entry`` holding JSON
``{"at", "actor", "action", "document", "diff"}``; the rules store writes its diffs there too.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from redis.asyncio import Redis

from bot.store import keys

MAX_ENTRIES: Final = 100_000  # approximate cap (XADD MAXLEN ~)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: when (ISO 8601), who (``user:NAME``, ``key:ID``, ``cli``...), what action,
    on which document, and the diff if the writer knows it."""

    at: str
    actor: str
    action: str
    document: str
    diff: Any = None


class Audit:
    """Appends to and reads the corp's audit stream."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self.redis = redis
        self.key = keys.audit(corp_id)

    async def record(
        self, at: datetime, actor: str, action: str, document: str, diff: Any = None
    ) -> str:
        """Append one entry → its stream id."""
        entry = AuditEntry(at.isoformat(), actor, action, document, diff)
        fields = {"entry": json.dumps(asdict(entry), ensure_ascii=False, default=str)}
        new_id = await self.redis.xadd(
            self.key,
            fields,  # type: ignore[arg-type]  # redis-py's field types are too narrow
            maxlen=MAX_ENTRIES,
            approximate=True,
        )
        return new_id.decode() if isinstance(new_id, bytes) else str(new_id)

    async def page(self, limit: int, before: str | None = None) -> list[tuple[str, AuditEntry]]:
        """Up to ``limit`` entries, newest first, older than the id ``before`` if given."""
        if before is not None and before.strip("0-") == "":
            return []  # nothing is older than 0-0 (and Redis refuses "(0-0" as an end)
        rows = await self.redis.xrevrange(
            self.key, max=f"({before}" if before else "+", count=limit
        )
        return [
            (entry_id, AuditEntry(**json.loads(fields["entry"])))
            for entry_id, fields in _rows(rows)
            if "entry" in fields
        ]


def _rows(rows: Any) -> list[tuple[str, dict[str, str]]]:  # redis-py replies are untyped
    return [(str(entry_id), dict(fields or {})) for entry_id, fields in rows or []]
