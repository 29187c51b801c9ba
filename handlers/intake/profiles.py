"""Profiles: every customer-contact event refreshes the customer from externalcontact/get.

The refresh writes WeCom's current state (name, type, gender, corp, unionid, and per staff
member remark, tags, add_way, state, created time), so it is idempotent and replays in any
order converge. Deletions are kept as marks on the relation (who ended it, when): churn
prompts and channel statistics need the relation after WeCom forgot it. The refresh runs
before the mark, so a deletion WeCom does not reflect yet cannot undo the mark.
"""

from __future__ import annotations

import logging
from typing import Any

from redis.asyncio.client import Pipeline

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import (
    ExternalContactAdded,
    ExternalContactDeleted,
    ExternalContactEvent,
    ExternalContactHalfAdded,
    FollowUserDeleted,
)
from bot.events.base import unix
from bot.events.chat_messages import ChatMessageEvent
from bot.lanes import is_express
from bot.wecom.api import WeComAPI
from bot.wecom.errors import InvalidExternalUserId, NoExternalContactRelation
from handlers.customers.components import CUSTOMERS
from handlers.customers.profiles import Relation
from handlers.intake.filters import DELETE_BY_TRANSFER, with_a_customer
from handlers.intake.lookup import shared_lookup

logger = logging.getLogger(__name__)

router = Router(name="profiles")

MAX_PAGES = 20  # 500 followers a page (doc 92114): 10 000 staff members per customer


@router.on(FollowUserDeleted)
async def customer_left(event: FollowUserDeleted, deps: Deps) -> None:
    """The customer deleted the staff member: refresh, then mark the relation ended."""
    await refresh(event, deps)
    await deps.get(CUSTOMERS).mark_deleted(
        event.external_user_id, event.user_id, "customer", unix(event.create_time)
    )


@router.on(ExternalContactDeleted)
async def staff_removed_customer(event: ExternalContactDeleted, deps: Deps) -> None:
    """The staff member deleted the customer (or a transfer moved them away)."""
    await refresh(event, deps)
    by = "transfer" if event.source == DELETE_BY_TRANSFER else "staff"
    await deps.get(CUSTOMERS).mark_deleted(
        event.external_user_id, event.user_id, by, unix(event.create_time)
    )


@router.on(ChatMessageEvent, with_a_customer)
async def count_activity(event: ChatMessageEvent, deps: Deps) -> None:
    """A message from or to a customer (KF, archive): their activity counters, once."""
    message = event.message
    direction = "in" if message.from_customer else "out"
    customers = deps.get(CUSTOMERS)

    def count(pipe: Pipeline) -> None:
        customers.count_message(pipe, message.customer, direction, unix(message.sent_at))

    await deps.ledger.apply_once(f"activity:{message.key}", count)


@router.on(ExternalContactEvent)
async def refresh_profile(event: ExternalContactEvent, deps: Deps) -> None:
    """Adds, edits and transfer failures: the profile as WeCom has it now."""
    await refresh(event, deps)


async def refresh(event: ExternalContactEvent, deps: Deps) -> None:
    """Upsert the customer from WeCom (or from the welcome handler's fresh lookup)."""
    api = deps.api(deps.settings.intake.app)
    snapshot = None
    if is_express(event):  # one externalcontact/get per add, shared with the welcome
        intake = deps.settings.intake
        _, snapshot = await shared_lookup(
            deps,
            event,
            lambda: fetch_contact(api, event.external_user_id),
            intake.name_lookup_seconds + intake.welcome_send_reserve_seconds,
        )
    if snapshot is None:  # not an add with a welcome, or the welcome's lookup got nothing
        snapshot = await fetch_contact(api, event.external_user_id)
    if snapshot is None:
        logger.info("customer %s is no longer anyone's contact", event.external_user_id)
        return
    added = None
    if isinstance(event, ExternalContactAdded | ExternalContactHalfAdded):
        added = Relation(event.user_id, unix(event.create_time), state=event.state or "")
    await deps.get(CUSTOMERS).upsert(snapshot, unix(deps.clock.now()), added)


async def fetch_contact(api: WeComAPI, external_userid: str) -> dict[str, Any] | None:
    """externalcontact/get with every page of followers; None if nobody has the customer."""
    try:
        snapshot = await api.contacts.get(external_userid)
        followers = list(snapshot.get("follow_user", []))
        cursor = str(snapshot.get("next_cursor", ""))
        for _ in range(MAX_PAGES):
            if not cursor:
                break
            page = await api.contacts.get(external_userid, cursor)
            followers.extend(page.get("follow_user", []))
            cursor = str(page.get("next_cursor", ""))
    except (NoExternalContactRelation, InvalidExternalUserId):
        return None
    return {**snapshot, "follow_user": followers}
