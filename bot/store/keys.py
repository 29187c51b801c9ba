"""Every Redis key siyu writes, built here and nowhere else.

Keys carry the corp id in a hash tag (``siyu:{corp}:…``) so one deployment serves several
corps and all of a corp's keys land in one Redis Cluster slot (the Lua enqueue touches two).
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "siyu"
CONSUMER_GROUP: Final = "workers"


def _corp(corp_id: str) -> str:
    return f"{PREFIX}:{{{corp_id}}}"


def events(corp_id: str) -> str:
    """Stream of accepted callbacks. No TTL: entries are deleted once acknowledged."""
    return f"{_corp(corp_id)}:events"


def dead_letters(corp_id: str) -> str:
    """Stream of entries that failed too often. No TTL: kept until replayed or trimmed."""
    return f"{_corp(corp_id)}:events:dead"


def last_errors(corp_id: str) -> str:
    """Hash: stream entry id → its last handler error. Fields removed on ack or dead-letter."""
    return f"{_corp(corp_id)}:events:errors"


def dedup(corp_id: str, dedup_key: str) -> str:
    """A callback already queued. TTL: queue.dedup_ttl_seconds (a day by default)."""
    return f"{_corp(corp_id)}:dedup:{dedup_key}"


def ledger(corp_id: str, effect_key: str) -> str:
    """An effect already done (idempotency ledger). TTL: set by the caller, 7 days default."""
    return f"{_corp(corp_id)}:ledger:{effect_key}"


def demo_effects(corp_id: str) -> str:
    """Hash: event dedup key → times the demo handler's guarded effect ran. No TTL (demo)."""
    return f"{_corp(corp_id)}:demo:effects"
