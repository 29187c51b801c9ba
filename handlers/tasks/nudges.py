"""Laggards, the end of a task, and cancelling one.

Reminders go only to senders who have not sent (all of) their part, were prompted, and are
not in their quiet hours ([reminders]); never more often than ``remind_every_hours``, at
most ``max_reminders`` times, never after the deadline. Each also asks WeCom to remind
(remind_groupmsg_send) within WeCom's own limits: 3 per msgid, 24 h apart (unverified).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta
from typing import Final

from bot.quiet_hours import quiet_hours_of
from bot.wecom.errors import RateLimited, WeComAPIError
from config.settings import TaskSettings
from handlers.tasks import cards
from handlers.tasks.context import Campaigns
from handlers.tasks.records import CallRecord, CallState, StaffRecord, TaskRecord
from handlers.tasks.recovery import find_lost

logger = logging.getLogger(__name__)

WECOM_MAX_REMINDERS: Final = 3  # remind_groupmsg_send per msgid (doc 97610, unverified)
WECOM_REMIND_GAP: Final = timedelta(hours=24)


def reminder_due(
    staff: StaffRecord, now: datetime, deadline: datetime, settings: TaskSettings
) -> bool:
    """Whether a sender should get a reminder now (ignoring quiet hours)."""
    if staff.status == "sent" or not staff.prompted_at or now >= deadline:
        return False
    if staff.reminders >= settings.max_reminders:
        return False
    at = now.timestamp()
    if staff.reminders:
        return at >= staff.reminded_at + settings.remind_every_hours * 3600
    first = min(
        staff.prompted_at + settings.first_reminder_after_hours * 3600,
        (deadline - timedelta(hours=settings.last_call_hours)).timestamp(),
    )
    return at >= first


def wecom_reminder_allowed(call: CallRecord, now: datetime) -> bool:
    """Whether WeCom will take one more remind_groupmsg_send for this call."""
    if call.sent or call.cancelled or call.state != CallState.CREATED.value:
        return False
    if call.wecom_reminders >= WECOM_MAX_REMINDERS:
        return False
    gap = WECOM_REMIND_GAP.total_seconds()
    return not call.wecom_reminded_at or now.timestamp() - call.wecom_reminded_at >= gap


async def remind_laggards(campaigns: Campaigns, task: TaskRecord) -> list[str]:
    """Remind the senders who are due a reminder; who was reminded."""
    now = campaigns.now()
    reminded = []
    calls = await campaigns.store.calls(task.id)
    for staff in sorted((await campaigns.store.staff(task.id)).values(), key=lambda s: s.userid):
        if not reminder_due(staff, now, task.spec.deadline, campaigns.settings):
            continue
        quiet = quiet_hours_of(campaigns.deps.settings.reminders, staff.userid)
        if quiet is not None and quiet.release(now.astimezone(campaigns.tz)) is not None:
            continue
        await _remind(campaigns, task, staff, [c for c in calls if c.sender == staff.userid])
        reminded.append(staff.userid)
    return reminded


async def _remind(
    campaigns: Campaigns, task: TaskRecord, staff: StaffRecord, calls: list[CallRecord]
) -> None:
    now = campaigns.now()
    number = staff.reminders + 1
    effect = f"task-reminder:{task.id}:{staff.userid}:{number}"
    if not await campaigns.deps.ledger.is_done(effect):
        card = cards.reminder_card(task, staff, now, campaigns.tz, campaigns.settings.card_url)
        if await campaigns.deliver([staff.userid], "template_card", card):
            campaigns.deps.metrics.count_task_message("reminder")
        await campaigns.deps.ledger.apply_once(effect, lambda pipe: None)
    if campaigns.settings.wecom_reminders:
        for call in calls:
            if wecom_reminder_allowed(call, now):
                await _wecom_remind(campaigns, task, call)
    await campaigns.store.put_staff(
        task.id, dataclasses.replace(staff, reminders=number, reminded_at=int(now.timestamp()))
    )
    logger.info("task %s: reminded %s (%d)", task.id, staff.userid, number)


async def _wecom_remind(campaigns: Campaigns, task: TaskRecord, call: CallRecord) -> None:
    try:
        await campaigns.api.campaigns.remind(call.msgid)
        campaigns.deps.metrics.count_task_message("wecom_reminder")
    except RateLimited:
        raise
    except WeComAPIError as exc:  # WeCom's own limits differ from ours: siyu's card went out
        logger.warning("task %s: remind_groupmsg_send %s refused: %s", task.id, call.msgid, exc)
    reminded = dataclasses.replace(
        call, wecom_reminders=call.wecom_reminders + 1, wecom_reminded_at=campaigns.unix()
    )
    await campaigns.store.put_call(task.id, reminded)


async def send_summary(campaigns: Campaigns, task: TaskRecord) -> list[str]:
    """The operator's summary, once per task; who got it."""
    operators = [task.spec.operator] if task.spec.operator else list(campaigns.settings.summary_to)
    effect = f"task-summary:{task.id}"
    if not operators or await campaigns.deps.ledger.is_done(effect):
        return []
    staff = await campaigns.store.staff(task.id)
    text = cards.summary_text(task, staff, campaigns.tz)
    if await campaigns.deliver(operators, "markdown", {"content": text}):
        campaigns.deps.metrics.count_task_message("summary")
    await campaigns.deps.ledger.apply_once(effect, lambda pipe: None)
    await campaigns.store.update(task.id, campaigns.unix(), summary_at=campaigns.unix())
    return operators


async def cancel_calls(campaigns: Campaigns, task: TaskRecord, notify: bool) -> int:
    """Cancel every call not yet sent (cancel_groupmsg_send); tell their senders. How many."""
    cancelled = 0
    unsent_senders: set[str] = set()
    calls = await campaigns.store.calls(task.id)
    taken = {c.msgid for c in calls if c.msgid}
    for listed in calls:
        call = await _found_or_skipped(campaigns, task, listed, taken)
        if call.state in {CallState.PENDING.value, CallState.CALLING.value}:
            skipped = dataclasses.replace(call, state=CallState.SKIPPED.value)
            await campaigns.store.put_call(task.id, skipped)
        elif call.state == CallState.CREATED.value and not call.sent and not call.cancelled:
            await campaigns.api.campaigns.cancel(call.msgid)
            await campaigns.store.put_call(task.id, dataclasses.replace(call, cancelled=True))
            unsent_senders.add(call.sender)
            cancelled += 1
    if notify:
        for userid in sorted(unsent_senders):
            effect = f"task-cancelled:{task.id}:{userid}"
            if not await campaigns.deps.ledger.is_done(effect):
                card = cards.cancelled_card(task, campaigns.settings.card_url)
                if await campaigns.deliver([userid], "template_card", card):
                    campaigns.deps.metrics.count_task_message("cancelled")
                await campaigns.deps.ledger.apply_once(effect, lambda pipe: None)
    return cancelled


async def _found_or_skipped(
    campaigns: Campaigns, task: TaskRecord, call: CallRecord, taken: set[str]
) -> CallRecord:
    """A call whose answer was lost may have made a template: find it, so it is cancelled too."""
    if call.state != CallState.CALLING.value:
        return call
    targets = await campaigns.store.targets(task.id, call.index)
    found = await find_lost(campaigns, task, call, targets, taken)
    if found is None:
        return call
    return dataclasses.replace(call, state=CallState.CREATED.value, msgid=found)
