"""Reminders siyu makes by itself: SOP sequences and rules, wired to contact events.

Wired: a customer added (ExternalContactAdded) starts the channel's SOP sequence and arms the
"silent for N days" rule; a relationship ended (del_follow_user / del_external_contact)
cancels that pair's pending SOP and rule reminders, and when the customer left, arms the
win-back rule. ``on_customer_activity`` re-arms the silence rule for handlers that see
customer messages (KF, archive) once they exist.
"""

from __future__ import annotations

from datetime import datetime

from handlers.reminders.records import Reminder, to_ms
from handlers.reminders.service import ReminderService

SILENT = "rule:silent"
WIN_BACK = "rule:win_back"


async def on_customer_added(
    service: ReminderService, userid: str, external_userid: str, state: str | None, at: datetime
) -> int:
    """Start the SOP sequence of the customer's channel; arm the silence rule. How many made.

    One Redis call for all of it: this runs on every add, beside the welcome's 20 s window.
    """
    local = at.astimezone(service.tz)
    new: list[tuple[Reminder, str]] = []
    sop = service.rules.sop_for(state)
    for index, step in enumerate(sop.steps if sop else ()):
        assert sop is not None  # noqa: S101 - steps come from it
        source = f"sop:{sop.name}:{index}"
        new.append(
            _made(
                service,
                userid,
                external_userid,
                step.text,
                due=step.due(local),
                source=source,
                at=at,
                content=step.content,
            )
        )
    silence = _silence(service, userid, external_userid, at)
    cancel = (SILENT,) if silence else ()
    armed = await service.repo.arm(
        userid, external_userid, [*new, *silence], cancel=cancel, note="customer active again"
    )
    return len(armed.reminders)


async def on_customer_activity(
    service: ReminderService, userid: str, external_userid: str, at: datetime
) -> int:
    """Re-arm "silent for N days" from ``at``; 1 if armed."""
    silence = _silence(service, userid, external_userid, at)
    if not silence:
        return 0
    await service.repo.arm(
        userid, external_userid, silence, cancel=(SILENT,), note="customer active again"
    )
    return 1


async def on_relationship_ended(
    service: ReminderService, userid: str, external_userid: str, at: datetime, *, by_customer: bool
) -> int:
    """Skip the pair's SOP steps and rules; arm a win-back if the customer left. Cancelled."""
    rule = service.rules.win_back
    new: list[tuple[Reminder, str]] = []
    if by_customer and rule.enabled:
        text = rule.text.format(customer="", days=rule.days)
        due = rule.due(at.astimezone(service.tz))
        new.append(_made(service, userid, external_userid, text, due=due, source=WIN_BACK, at=at))
    armed = await service.repo.arm(
        userid, external_userid, new, cancel=("sop:", SILENT), note="relationship ended"
    )
    return armed.cancelled


def _silence(
    service: ReminderService, userid: str, external_userid: str, at: datetime
) -> list[tuple[Reminder, str]]:
    """The "silent for N days" reminder from ``at``, if that rule is on."""
    rule = service.rules.silent
    if not rule.enabled:
        return []
    text = rule.text.format(customer="", days=rule.days)
    return [
        _made(
            service,
            userid,
            external_userid,
            text,
            due=rule.due(at.astimezone(service.tz)),
            source=SILENT,
            at=at,
        )
    ]


def _made(
    service: ReminderService,
    userid: str,
    external_userid: str,
    text: str,
    *,
    due: datetime,
    source: str,
    at: datetime,
    content: str = "",
) -> tuple[Reminder, str]:
    """A reminder siyu makes by itself, with its once-key (per pair, source and event time)."""
    reminder = Reminder(
        0,
        userid,
        text,
        to_ms(due),
        customer_id=external_userid,
        source=source,
        content=content,
        created_ms=to_ms(service.clock.now()),
    )
    return reminder, f"{source}:{userid}:{external_userid}:{to_ms(at)}"
