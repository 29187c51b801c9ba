"""The account of a chaos run: every sent event, what WeCom was answered, what took effect.

Pure: it is given records (the emitter's tries, the journal's counts, the welcomes the
sandbox accepted) and says which accepted events were lost and which effects ran twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

ACCEPTED = "200"  # WeCom's only success: the event is siyu's from then on


@dataclass(frozen=True, slots=True)
class SentEvent:
    """One event the emitter delivered, with the outcome of every try of every copy."""

    event_id: str
    kind: str  # "welcome" (an add with a WelcomeCode) or "message"
    dedup_key: str
    tries: tuple[str, ...]  # "200", "503", "timeout", "ClientConnectorError", ...
    welcome_code: str | None = None

    @property
    def accepted(self) -> bool:
        """Some try was answered 200."""
        return ACCEPTED in self.tries


@dataclass(frozen=True, slots=True)
class Tally:
    """The run's figures and the events behind its failures."""

    sent: int
    accepted: int
    rejected: Mapping[str, int]  # never accepted, by the last try's answer
    failed_tries: Mapping[str, int]  # every try not answered 200, by its answer
    effects: int  # journal counts over the sent events' keys
    welcomes_sent: int
    welcome_adds: int  # accepted adds carrying a WelcomeCode
    duplicates: int
    losses: int
    lost: tuple[str, ...] = ()  # event ids
    doubled: tuple[str, ...] = ()  # event ids, or welcome codes
    spooled: int = 0  # as the gateways counted it (scraped from /metrics)
    extra: Mapping[str, int] = field(default_factory=dict)  # other figures for the table

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing doubled."""
        return self.losses == 0 and self.duplicates == 0


def account(
    events: Sequence[SentEvent],
    effects: Mapping[str, int],
    welcomes: Mapping[str, int],
    *,
    spooled: int = 0,
    extra: Mapping[str, int] | None = None,
) -> Tally:
    """Check every event: an accepted one must have taken effect once, and no effect twice.

    ``effects``: the journal's count per dedup key (ledger-guarded: exactly once by design).
    ``welcomes``: successful send_welcome_msg calls per welcome code (single-use by design).
    An event never answered 200 may have taken effect or not: WeCom gave up, nothing owed.
    """
    accepted = [e for e in events if e.accepted]
    rejected = Counter(e.tries[-1] if e.tries else "not sent" for e in events if not e.accepted)
    failed_tries = Counter(t for e in events for t in e.tries if t != ACCEPTED)
    keys = {e.dedup_key for e in events}
    lost = tuple(e.event_id for e in accepted if effects.get(e.dedup_key, 0) < 1)
    doubled_keys = {k for k in keys if effects.get(k, 0) > 1}
    doubled_events = [e.event_id for e in events if e.dedup_key in doubled_keys]
    codes = {e.welcome_code for e in events if e.welcome_code}
    doubled_codes = sorted(c for c in codes if welcomes.get(c, 0) > 1)
    return Tally(
        sent=len(events),
        accepted=len(accepted),
        rejected=dict(rejected),
        failed_tries=dict(failed_tries),
        effects=sum(effects.get(k, 0) for k in keys),
        welcomes_sent=sum(min(welcomes.get(c, 0), 1) for c in codes),
        welcome_adds=sum(1 for e in accepted if e.welcome_code),
        duplicates=len(doubled_keys) + len(doubled_codes),
        losses=len(lost),
        lost=lost,
        doubled=(*doubled_events, *doubled_codes),
        spooled=spooled,
        extra=dict(extra or {}),
    )
