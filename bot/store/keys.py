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


def access_token(corp_id: str, secret_digest: str) -> str:
    """Hash {token, expires_at, refresh_at} of one app. TTL: the token's expires_in (7200 s)."""
    return f"{_corp(corp_id)}:token:{secret_digest}"


def access_token_lock(corp_id: str, secret_digest: str) -> str:
    """Held by the one process refreshing that token. TTL: TokenPolicy.lock_seconds (10 s)."""
    return f"{_corp(corp_id)}:token:{secret_digest}:lock"


def rate_window(corp_id: str, scope: str) -> str:
    """Prefix of fixed-window counters (``…:<window>:<slot>``). TTL: two windows."""
    return f"{_corp(corp_id)}:rate:{scope}"


def delayed_events(corp_id: str) -> str:
    """Sorted set of events waiting to be re-queued (score: due ms). No TTL: drained."""
    return f"{_corp(corp_id)}:events:delayed"


def demo_effects(corp_id: str) -> str:
    """Hash: event dedup key → times the demo handler's guarded effect ran. No TTL (demo)."""
    return f"{_corp(corp_id)}:demo:effects"
