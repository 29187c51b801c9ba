"""Churn: tell staff (at once) and their managers (in a daily digest) about lost customers.

- del_follow_user (the customer deleted the staff member): a card to the staff member —
  who, which channel, how long, last interaction — and a record for their manager's digest;
- del_external_contact (the staff member deleted the customer): a record for the digest;
  DELETE_BY_TRANSFER is an on-the-job transfer, not churn, and is ignored;
- transfer_fail: the takeover staff member and their manager are told why;
- a press on the card's buttons turns them into a label (update_template_card).

Idempotent: the card is sent unless the ledger has it and message/send drops a repeat of
the same content (enable_duplicate_check); digest records are queued through the ledger.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from redis.asyncio.client import Pipeline

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import (
    ExternalContactDeleted,
    ExternalContactEvent,
    FollowUserDeleted,
    TemplateCardClicked,
    TransferFailed,
)
from bot.events.base import unix
from bot.events.ticks import MinuteTick
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.customers.components import CUSTOMERS
from handlers.intake.churn_digest import send_due_digests
from handlers.intake.churn_notices import (
    BUTTON_LABELS,
    CUSTOMER_LEFT,
    STAFF_DELETED,
    TASK_PREFIX,
    Loss,
    churn_card,
    task_id,
    transfer_failed_text,
)
from handlers.intake.components import CHURN_DIGESTS
from handlers.intake.filters import not_a_transfer
from handlers.intake.live import rules_of
from handlers.intake.rules import IntakeRules

logger = logging.getLogger(__name__)

router = Router(name="churn")


def is_churn_card(event: TemplateCardClicked) -> bool:
    """A button pressed on one of the churn cards."""
    return (event.task_id or "").startswith(TASK_PREFIX) and event.event_key in BUTTON_LABELS


@router.on(MinuteTick)
async def send_manager_digests(event: MinuteTick, deps: Deps) -> None:
    """Every minute (the scheduler leader's minute tick): digests whose local time has come."""
    try:
        sent = await send_due_digests(deps)
    except (WeComAPIError, WeComUnavailable) as exc:  # the next minute's tick tries again
        logger.warning("churn digests not sent: %s", exc)
        return
    if sent:
        logger.info("churn digests sent: %s", sent)


@router.on(FollowUserDeleted)
async def prompt_staff_member(event: FollowUserDeleted, deps: Deps) -> None:
    """A card to the staff member the customer deleted; a record for their manager."""
    rules = await rules_of(deps)
    loss = await _loss(event, deps, rules, CUSTOMER_LEFT)
    card_key = f"churn:card:{event.dedup_key}"
    if rules.churn.notify_staff and not await deps.ledger.is_done(card_key):
        card = churn_card(loss, task_id(event.dedup_key), ZoneInfo(deps.settings.timezone))
        await deps.api(deps.settings.intake.app).messages.send_card([event.user_id], card)
        await deps.ledger.apply_once(card_key, _nothing)
        logger.info("churn card to %s about %s", event.user_id, event.external_user_id)
    await _queue_for_manager(event, deps, rules, loss)


@router.on(ExternalContactDeleted, not_a_transfer)
async def note_staff_deletion(event: ExternalContactDeleted, deps: Deps) -> None:
    """The staff member deleted the customer: their manager hears of it in the digest."""
    rules = await rules_of(deps)
    await _queue_for_manager(event, deps, rules, await _loss(event, deps, rules, STAFF_DELETED))


@router.on(TransferFailed)
async def explain_failed_transfer(event: TransferFailed, deps: Deps) -> None:
    """Tell the takeover staff member (and their manager) why the customer did not move."""
    rules = await rules_of(deps)
    profile = await deps.get(CUSTOMERS).get(event.external_user_id)
    name = profile.name if profile is not None and profile.name else event.external_user_id
    text = transfer_failed_text(name, rules.staff_name(event.user_id), event.fail_reason)
    member = rules.staff.get(event.user_id)
    recipients = [event.user_id] + ([member.manager] if member and member.manager else [])
    key = f"churn:transfer:{event.dedup_key}"
    if not await deps.ledger.is_done(key):
        await deps.api(deps.settings.intake.app).messages.send_text(recipients, text)
        await deps.ledger.apply_once(key, _nothing)
        logger.info(
            "transfer of %s to %s failed (%s): told %s",
            event.external_user_id,
            event.user_id,
            event.fail_reason,
            ",".join(recipients),
        )


@router.on(TemplateCardClicked, is_churn_card)
async def close_churn_card(event: TemplateCardClicked, deps: Deps) -> None:
    """已知晓 / 已安排回访: the card's buttons become the chosen label."""
    if not event.response_code:
        return
    key = f"churn:click:{event.dedup_key}"
    if await deps.ledger.is_done(key):
        return
    label = BUTTON_LABELS[str(event.event_key)]
    await deps.api(deps.settings.intake.app).messages.update_card(
        [event.from_user], event.response_code, label
    )
    await deps.ledger.apply_once(key, _nothing)


def _nothing(pipe: Pipeline) -> None:
    """The ledger mark alone records an effect done outside Redis."""


async def _loss(event: ExternalContactEvent, deps: Deps, rules: IntakeRules, kind: str) -> Loss:
    """The loss as the profile store knows it (profiles ran first and kept the relation)."""
    profile = await deps.get(CUSTOMERS).get(event.external_user_id)
    relation = profile.relations.get(event.user_id) if profile is not None else None
    found = rules.channel_for(relation.state if relation is not None else None)
    last = None
    if profile is not None:
        last = profile.number("last_customer_message_at") or profile.number("last_message_at")
    return Loss(
        kind=kind,
        at=unix(event.create_time),
        staff=event.user_id,
        staff_name=rules.staff_name(event.user_id),
        customer=event.external_user_id,
        customer_name=(profile.name if profile is not None else "") or "未知客户",
        channel=found[1].name if found is not None else "",
        since=relation.createtime if relation is not None else None,
        last_interaction=last,
    )


async def _queue_for_manager(
    event: ExternalContactEvent, deps: Deps, rules: IntakeRules, loss: Loss
) -> None:
    member = rules.staff.get(event.user_id)
    if not rules.churn.digest or member is None or not member.manager:
        return
    manager = member.manager
    digests = deps.get(CHURN_DIGESTS)

    def queue(pipe: Pipeline) -> None:
        digests.queue(pipe, manager, loss)

    await deps.ledger.apply_once(f"churn:digest:{event.dedup_key}", queue)
