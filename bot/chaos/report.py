"""The chaos run's table; its last line is ``chaos: sent=N accepted=N effects=N duplicates=N
losses=N`` and the exit status says whether anything was lost or doubled."""

from __future__ import annotations

from bot.chaos.accounting import Tally

_SHOWN_IDS = 20  # lost or doubled events listed by id, at most


def summary_line(tally: Tally) -> str:
    """The last line, exactly as scripts read it."""
    return (
        f"chaos: sent={tally.sent} accepted={tally.accepted} effects={tally.effects} "
        f"duplicates={tally.duplicates} losses={tally.losses}"
    )


def _row(label: str, value: object) -> str:
    return f"  {label:<34} {value}"


def table(tally: Tally) -> list[str]:
    """The report's lines, the summary line last."""
    lines = [
        "",
        "chaos: result",
        _row("events sent", tally.sent),
        _row("accepted (200)", tally.accepted),
    ]
    for reason, count in sorted(tally.rejected.items()):
        lines.append(_row(f"rejected: last answer {reason}", count))
    for reason, count in sorted(tally.failed_tries.items()):
        lines.append(_row(f"failed tries: {reason}", count))
    lines += [
        _row("spooled (gateways' count)", tally.spooled),
        _row("effects (journal)", tally.effects),
        _row("welcomes sent / accepted adds", f"{tally.welcomes_sent} / {tally.welcome_adds}"),
    ]
    lines += [_row(name, value) for name, value in sorted(tally.extra.items())]
    lines += [_row("duplicates", tally.duplicates), _row("losses", tally.losses)]
    if tally.lost:
        lines.append("  lost: " + " ".join(tally.lost[:_SHOWN_IDS]))
    if tally.doubled:
        lines.append("  doubled: " + " ".join(tally.doubled[:_SHOWN_IDS]))
    lines.append(summary_line(tally))
    return lines


def exit_status(tally: Tally) -> int:
    """0 when nothing was lost or doubled, else 1."""
    return 0 if tally.ok else 1
