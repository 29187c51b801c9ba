"""Reminders: prompt cards when due, card buttons, SOP sequences and rules on contact events."""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import (
    ExternalContactAdded,
    ExternalContactDeleted,
    FollowUserDeleted,
    TemplateCardClicked,
)
from bot.events.base import unix
from bot.events.reminders import ReminderDue
from bot.events.ticks import MinuteTick
from handlers.reminders import automation
from handlers.reminders.access import reminders_api, reminders_of
from handlers.reminders.expiry import expire_unanswered

logger = logging.getLogger(__name__)

router = Router(name="reminders")
DELIVERED = frozenset({"sent", "digest"})  # outcomes of deliver() that sent a card now
CARD_PREFIX = "siyu-r"  # task ids of siyu's prompt cards (handlers/reminders/cards.py)


def is_prompt_card(event: TemplateCardClicked) -> bool:
    """A button pressed on one of siyu's reminder cards."""
    return (event.task_id or "").startswith(CARD_PREFIX) and bool(event.event_key)


@router.on(ReminderDue)
async def deliver_due_reminder(event: ReminderDue, deps: Deps) -> None:
    """Send the prompt card (or a digest); RateLimited defers the event, nothing is lost."""
    outcome = await reminders_of(deps).delivery.deliver(
        event.reminder_id, event.due_ms, reminders_api(deps)
    )
    logger.info("reminder %s due %s: %s", event.reminder_id, event.due_ms, outcome)
    if outcome in DELIVERED:
        deps.metrics.count_reminder(outcome)
        deps.metrics.scale.observe_reminder_lag(unix(deps.clock.now()) - event.due_ms / 1000)
    elif outcome != "stale":  # a redelivery, or moved meanwhile: nothing happened now
        deps.metrics.count_reminder(outcome)


@router.on(MinuteTick)
async def expire_unanswered_reminders(event: MinuteTick, deps: Deps) -> None:
    """Sent reminders nobody acted on in time become expired."""
    expired = await expire_unanswered(
        reminders_of(deps).repo, deps.clock.now(), deps.settings.reminders.batch_size
    )
    if expired:
        logger.info("tick %s: %d reminders expired", event.slot, expired)
        deps.metrics.count_reminder("expired", expired)


@router.on(TemplateCardClicked, is_prompt_card)
async def act_on_prompt_card(event: TemplateCardClicked, deps: Deps) -> None:
    """完成 / 1小时后提醒 / 明天提醒: change the reminders and the card."""
    outcome = await reminders_of(deps).delivery.act(
        event.task_id or "",
        event.from_user,
        event.event_key or "",
        event.response_code,
        reminders_api(deps),
    )
    logger.info("card %s pressed by %s: %s", event.task_id, event.from_user, outcome)
    if outcome != "ignored":
        deps.metrics.count_reminder(f"card_{outcome}")  # done, snooze or tomorrow pressed


@router.on(ExternalContactAdded)
async def start_sop(event: ExternalContactAdded, deps: Deps) -> None:
    """The channel's SOP sequence and the silence rule start for the new customer."""
    await automation.on_customer_added(
        reminders_of(deps), event.user_id, event.external_user_id, event.state, event.create_time
    )


@router.on(FollowUserDeleted)
async def customer_left(event: FollowUserDeleted, deps: Deps) -> None:
    """The customer deleted the staff member: skip their SOP steps, arm a win-back."""
    await automation.on_relationship_ended(
        reminders_of(deps),
        event.user_id,
        event.external_user_id,
        event.create_time,
        by_customer=True,
    )


@router.on(ExternalContactDeleted)
async def staff_removed_customer(event: ExternalContactDeleted, deps: Deps) -> None:
    """The staff member deleted the customer: skip their SOP steps and rules."""
    await automation.on_relationship_ended(
        reminders_of(deps),
        event.user_id,
        event.external_user_id,
        event.create_time,
        by_customer=False,
    )
