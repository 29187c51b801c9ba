"""The account of ``siyu bench outage``: what WeCom was answered, what was lost, and what
became of the welcomes whose adds arrived while Redis was away.

Pure: given the chaos accounting's tally and one record per add, it classifies each add by
how old its welcome code was when the add reached Redis (on replay, for a spooled one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.chaos.accounting import Tally

WELCOME_CODE_SECONDS = 20.0  # a welcome code is valid 20 s, once (doc 92599)
# The least time left for a welcome to count as sendable: picking the add up and sending
# takes a worker ~0.5 s under this load, and siyu keeps 1 s for the send itself
# ([intake] welcome_send_reserve_seconds). Codes valid on replay with less left are
# reported apart (too late to send), not failed.
SEND_MARGIN_SECONDS = 1.0
_SERVER_ERROR = 500


@dataclass(frozen=True, slots=True)
class AddRecord:
    """One accepted add with a welcome code: when the code was issued, when the add reached
    Redis (None: never), and whether send_welcome_msg succeeded with its code."""

    code: str
    issued_at: datetime
    queued_at: datetime | None
    sent: bool

    @property
    def valid_when_queued(self) -> bool:
        """The code was under 20 s old when the add reached Redis."""
        return self.queued_at is not None and self.code_age() < WELCOME_CODE_SECONDS

    @property
    def sendable_when_queued(self) -> bool:
        """The code had at least ``SEND_MARGIN_SECONDS`` left when the add reached Redis."""
        return self.code_age() < WELCOME_CODE_SECONDS - SEND_MARGIN_SECONDS

    def code_age(self) -> float:
        """Seconds from the code's issue to the add reaching Redis (inf: never)."""
        if self.queued_at is None:
            return float("inf")
        return (self.queued_at - self.issued_at).total_seconds()


@dataclass(frozen=True, slots=True)
class Welcomes:
    """The adds whose code was issued during the outage, and every valid one left unsent."""

    in_outage: int
    valid_on_replay: int
    sent: int  # of the valid ones
    too_late: int  # valid, but with under SEND_MARGIN_SECONDS left, and not sent
    expired_while_spooled: int  # counted as missed
    sent_late: int  # expired ones sent anyway (must be 0: the sandbox refuses them)
    replay_seconds: float  # from Redis's return until the outage's last add was queued
    valid_unsent: tuple[AddRecord, ...]  # over the whole run, ages when queued
    sendable_unsent: int  # over the whole run: each is a failure

    @property
    def ok(self) -> bool:
        """Every code with time left to send was used, no expired one was."""
        return self.sendable_unsent == 0 and self.sent_late == 0


def classify_welcomes(
    adds: Sequence[AddRecord], outage_start: datetime, outage_end: datetime
) -> Welcomes:
    """Classify the adds of the outage; collect valid-but-unsent adds of the whole run."""
    during = [a for a in adds if outage_start <= a.issued_at < outage_end]
    valid = [a for a in during if a.valid_when_queued]
    expired = [a for a in during if not a.valid_when_queued]
    queued = [a.queued_at for a in during if a.queued_at is not None]
    unsent = tuple(a for a in adds if a.valid_when_queued and not a.sent)
    return Welcomes(
        in_outage=len(during),
        valid_on_replay=len(valid),
        sent=sum(1 for a in valid if a.sent),
        too_late=sum(1 for a in valid if not a.sent and not a.sendable_when_queued),
        expired_while_spooled=len(expired),
        sent_late=sum(1 for a in expired if a.sent),
        replay_seconds=max(0.0, (max(queued) - outage_end).total_seconds()) if queued else 0.0,
        valid_unsent=unsent,
        sendable_unsent=sum(1 for a in unsent if a.sendable_when_queued),
    )


@dataclass(frozen=True, slots=True)
class OutageResult:
    """The run's figures."""

    tally: Tally
    welcomes: Welcomes
    replayed: int  # spooled callbacks taken out of the spool (spooled - records left)
    outage_seconds: float
    rate: float

    @property
    def answered_5xx(self) -> int:
        """Tries WeCom would have seen answered with a 5xx."""
        return sum(
            count
            for answer, count in self.tally.failed_tries.items()
            if answer.isdigit() and int(answer) >= _SERVER_ERROR
        )

    @property
    def ok(self) -> bool:
        """No 5xx, nothing lost or doubled, every valid welcome sent."""
        return self.answered_5xx == 0 and self.tally.ok and self.welcomes.ok


def summary_line(result: OutageResult) -> str:
    """The last line, exactly as scripts and the test read it."""
    tally, welcomes = result.tally, result.welcomes
    return (
        f"outage: sent={tally.sent} answered_200={tally.accepted} "
        f"answered_5xx={result.answered_5xx} spooled={tally.spooled} "
        f"replayed={result.replayed} losses={tally.losses} duplicates={tally.duplicates} "
        f"adds_in_outage={welcomes.in_outage} valid_on_replay={welcomes.valid_on_replay} "
        f"welcomes_sent={welcomes.sent} too_late_to_send={welcomes.too_late} "
        f"expired_while_spooled={welcomes.expired_while_spooled}"
    )


def _row(label: str, value: object) -> str:
    return f"  {label:<50} {value}"


def table(result: OutageResult) -> list[str]:
    """The report's lines, the summary line last."""
    tally, welcomes = result.tally, result.welcomes
    lines = [
        "",
        f"outage: Redis unreachable for {result.outage_seconds:g} s at {result.rate:g} callbacks/s",
        _row("callbacks sent", tally.sent),
        _row("answered 200", tally.accepted),
        _row("tries answered 5xx", result.answered_5xx),
    ]
    lines += [_row(f"failed tries: {why}", n) for why, n in sorted(tally.failed_tries.items())]
    lines += [
        _row("spooled (gateways' count)", tally.spooled),
        _row("replayed into the queue", result.replayed),
        _row("effects (chaos journal)", tally.effects),
        _row("losses after recovery", tally.losses),
        _row("duplicates", tally.duplicates),
        _row("adds during the outage", welcomes.in_outage),
        _row("  code still valid (< 20 s) on replay", welcomes.valid_on_replay),
        _row("  of those, welcome sent", welcomes.sent),
        _row(f"  of those, unsent with < {SEND_MARGIN_SECONDS:g} s left", welcomes.too_late),
        _row("  code expired while spooled (missed)", welcomes.expired_while_spooled),
        _row("  expired but sent late", welcomes.sent_late),
        _row(
            "welcomes sent / accepted adds (whole run)",
            f"{tally.welcomes_sent} / {tally.welcome_adds}",
        ),
        _row("valid codes left unsent (whole run)", len(welcomes.valid_unsent)),
        _row(f"  with >= {SEND_MARGIN_SECONDS:g} s left (failures)", welcomes.sendable_unsent),
        _row("outage's last add queued after recovery (s)", f"{welcomes.replay_seconds:.1f}"),
    ]
    lines += [_row(name, value) for name, value in sorted(tally.extra.items())]
    for add in welcomes.valid_unsent[:20]:
        lines.append(f"  unsent: code {add.code[:10]}… {add.code_age():.2f} s old when queued")
    if tally.lost:
        lines.append("  lost: " + " ".join(tally.lost[:20]))
    lines.append(summary_line(result))
    return lines


def exit_status(result: OutageResult) -> int:
    """0 when WeCom saw no 5xx, nothing was lost and every valid welcome went out."""
    return 0 if result.ok else 1


def at_ms(ms: int) -> datetime:
    """A Redis stream id's milliseconds as an aware time."""
    return datetime.fromtimestamp(ms / 1000, UTC)
