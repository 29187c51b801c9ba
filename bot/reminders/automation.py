"""Reminders siyu makes by itself: SOP sequences and rules, wired to contact events.

Wired: a customer added (ExternalContactAdded) starts the channel's SOP sequence and arms the
"silent for N days" rule; a relationship ended (del_follow_user / del_external_contact)
cancels that pair's pending SOP and rule reminders, and when the customer left, arms the
win-back rule. ``on_customer_activity`` re-arms the silence rule for handlers that see
customer messages (KF, archive) once they exist.
"""

from __future__ import annotations

from datetime import datetime

from bot.reminders.records import ACTIVE, State, to_ms
from bot.reminders.service import ReminderService

SILENT = "rule:silent"
WIN_BACK = "rule:win_back"


async def on_customer_added(service: ReminderService, userid: str, external_userid: str,
                            state: str | None, at: datetime) -> int:  # fmt: skip
    """Start the SOP sequence of the customer's channel; arm the silence rule. How many made."""
    local = at.astimezone(service.tz)
    made = 0
    sop = service.rules.sop_for(state)
    for index, step in enumerate(sop.steps if sop else ()):
        assert sop is not None  # noqa: S101 - steps come from it
        source = f"sop:{sop.name}:{index}"
        await service.remind(userid, step.text, step.due(local), customer_id=external_userid,
                             source=source, content=step.content,
                             once=f"{source}:{userid}:{external_userid}:{to_ms(at)}")  # fmt: skip
        made += 1
    return made + await on_customer_activity(service, userid, external_userid, at)


async def on_customer_activity(service: ReminderService, userid: str, external_userid: str,
                               at: datetime) -> int:  # fmt: skip
    """Re-arm "silent for N days" from ``at``; 1 if armed."""
    rule = service.rules.silent
    if not rule.enabled:
        return 0
    await _cancel_pair(service, userid, external_userid, (SILENT,), "customer active again")
    text = rule.text.format(customer="", days=rule.days)
    await service.remind(userid, text, rule.due(at.astimezone(service.tz)),
                         customer_id=external_userid, source=SILENT,
                         once=f"{SILENT}:{userid}:{external_userid}:{to_ms(at)}")  # fmt: skip
    return 1


async def on_relationship_ended(service: ReminderService, userid: str, external_userid: str,
                                at: datetime, *, by_customer: bool) -> int:  # fmt: skip
    """Skip the pair's SOP steps and rules; arm a win-back if the customer left. Cancelled."""
    cancelled = await _cancel_pair(service, userid, external_userid, ("sop:", SILENT),
                                   "relationship ended")  # fmt: skip
    rule = service.rules.win_back
    if by_customer and rule.enabled:
        text = rule.text.format(customer="", days=rule.days)
        await service.remind(userid, text, rule.due(at.astimezone(service.tz)),
                             customer_id=external_userid, source=WIN_BACK,
                             once=f"{WIN_BACK}:{userid}:{external_userid}:{to_ms(at)}")  # fmt: skip
    return cancelled


async def _cancel_pair(service: ReminderService, userid: str, external_userid: str,
                       sources: tuple[str, ...], note: str) -> int:  # fmt: skip
    cancelled = 0
    for reminder in await service.repo.of_pair(userid, external_userid):
        if (reminder.customer_id == external_userid and reminder.state in ACTIVE
                and reminder.source.startswith(sources)):  # fmt: skip
            cancelled += await service.repo.transition(reminder, State.CANCELLED, note=note)
    return cancelled
