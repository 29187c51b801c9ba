"""Channels: count what each live code brings and loses, and keep its rotation on plan.

An add through a channel (its State) counts for the day and for the staff member (caps),
moves the weighted round-robin credits, then rebalances the code's user list. Deletions
count against the channel that brought the relation (the state profiles recorded); a
deletion by on-the-job transfer (DELETE_BY_TRANSFER) is not a loss and is not counted.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from redis.asyncio.client import Pipeline

from bot.deps import Deps
from bot.dispatch import Router, either
from bot.events import (
    ExternalContactAdded,
    ExternalContactDeleted,
    ExternalContactHalfAdded,
    FollowUserDeleted,
)
from bot.events.base import unix
from bot.events.ticks import MinuteTick
from handlers.customers.components import CUSTOMERS
from handlers.intake import allocation
from handlers.intake.channel_store import channel_view
from handlers.intake.filters import Added, not_a_transfer, through_a_live_code
from handlers.intake.live import day_of, local_time, rules_of
from handlers.intake.live_codes import rebalance, rebalance_all, stats_of

logger = logging.getLogger(__name__)

router = Router(name="channels")


@router.on(either(ExternalContactAdded, ExternalContactHalfAdded), through_a_live_code)
async def count_add(event: Added, deps: Deps) -> None:
    """Count the add for its channel (a half add once with its full add) and rebalance the
    channel's code."""
    await _added(event, deps)


@router.on(MinuteTick)
async def follow_shifts(event: MinuteTick, deps: Deps) -> None:
    """Every minute (the scheduler leader's minute tick): codes follow shifts and new days."""
    await rebalance_all(deps)


@router.on(FollowUserDeleted)
async def count_loss_by_customer(event: FollowUserDeleted, deps: Deps) -> None:
    """The customer deleted the staff member: a loss for the channel that brought them."""
    await _deleted(
        event.external_user_id,
        event.user_id,
        event.dedup_key,
        unix(event.create_time),
        deps,
        by_customer=True,
    )


@router.on(ExternalContactDeleted, not_a_transfer)
async def count_loss_by_staff(event: ExternalContactDeleted, deps: Deps) -> None:
    """The staff member deleted the customer."""
    await _deleted(
        event.external_user_id,
        event.user_id,
        event.dedup_key,
        unix(event.create_time),
        deps,
        by_customer=False,
    )


async def _added(event: Added, deps: Deps) -> None:
    rules = await rules_of(deps)
    found = rules.channel_for(event.state)
    if found is None:
        return
    channel_id, channel = found
    local = local_time(deps, event.create_time)
    day = day_of(local)
    stats = stats_of(deps)
    before = await channel_view(
        deps.redis, deps.corp_id, channel_id, day, relation=(event.external_user_id, event.user_id)
    )
    members = allocation.eligible(rules, channel, before.adds_by_staff, local)
    changes = allocation.credit_changes(members, event.user_id)
    bounds = allocation.credit_bounds(rules.allocation.tolerance)

    # One relation, one add: a half add and its full add share WeCom's createtime.
    since = before.relation_since or unix(event.create_time)
    key = f"channel:add:{event.user_id}:{event.external_user_id}:{since}"
    if not await stats.count_add_once(
        key, channel_id, day, event.user_id, changes=changes, bounds=bounds
    ):
        await rebalance(deps, channel_id, rules)  # a redelivery: look at what Redis has
        return
    logger.info("channel %s: add of %s to %s", channel_id, event.external_user_id, event.user_id)
    same_day = day == day_of(local_time(deps))
    after = before.after_add(event.user_id, changes, bounds) if same_day else None
    await rebalance(deps, channel_id, rules, after)


async def _deleted(
    external_userid: str, userid: str, dedup_key: str, at: int, deps: Deps, *, by_customer: bool
) -> None:
    relation = await deps.get(CUSTOMERS).relation(external_userid, userid)
    rules = await rules_of(deps)
    found = rules.channel_for(relation.state if relation is not None else None)
    if found is None:
        return
    channel_id = found[0]
    stats = stats_of(deps)
    day = day_of(local_time(deps, _utc(at)))

    def count(pipe: Pipeline) -> None:
        stats.count_deletion(pipe, channel_id, day, by_customer)

    await deps.ledger.apply_once(f"channel:del:{dedup_key}", count)


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
