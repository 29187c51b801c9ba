"""The outbox: every call siyu made to the sandbox's WeCom API, with the sandbox's answer.

Entries never hold an access_token or a secret: the token is not part of the recorded body
and gettoken's ``corpsecret`` is left out.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.sandbox.records import Json, JsonMap

MAX_ENTRIES = 100_000  # the oldest are forgotten beyond this (benchmarks make many calls)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One API call: ``api`` is the path after /cgi-bin/, e.g. ``message/send``."""

    seq: int
    api: str
    method: str
    body: JsonMap
    response: JsonMap | None  # None: the call was held until the client gave up (timeout)
    at: datetime
    app: str | None = None  # the app whose token was used, when it was valid
    extra: JsonMap = field(default_factory=dict)  # e.g. {"dropped": [...]}, {"fault_id": ...}

    def as_json(self) -> Json:
        """The entry as GET /sandbox/outbox shows it."""
        shown: Json = {
            "seq": self.seq,
            "api": self.api,
            "method": self.method,
            "body": dict(self.body),
            "response": None if self.response is None else dict(self.response),
            "at": self.at.isoformat(),
            "app": self.app,
        }
        shown.update(self.extra)
        return shown


class Outbox:
    """An append-only log of API calls, filtered by api and by seq or time."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: deque[OutboxEntry] = deque(maxlen=max_entries)
        self._seq = itertools.count(1)

    def record(
        self,
        api: str,
        method: str,
        body: JsonMap,
        response: JsonMap | None,
        at: datetime,
        *,
        app: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> OutboxEntry:
        """Append one call."""
        entry = OutboxEntry(
            next(self._seq), api, method, body, response, at, app, dict(extra or {})
        )
        self._entries.append(entry)
        return entry

    def entries(
        self,
        api: str | None = None,
        since_seq: int | None = None,
        since_time: datetime | None = None,
    ) -> list[OutboxEntry]:
        """Entries for ``api`` (all if None) after seq ``since_seq`` or after ``since_time``."""
        return [
            e
            for e in self._entries
            if (api is None or e.api == api)
            and (since_seq is None or e.seq > since_seq)
            and (since_time is None or e.at > since_time)
        ]

    def last_seq(self) -> int:
        """The seq of the newest entry (0 if none)."""
        return self._entries[-1].seq if self._entries else 0
