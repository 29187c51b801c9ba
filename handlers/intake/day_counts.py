"""The day's adds and deletions, in total, per staff member and per channel, counted exactly
once (the ledger) into the per-day counts operators read (bot/daily.py, /api/v1/stats/daily).

An add counts once per relation: a half add and its full add share WeCom's createtime. A
deletion counts against the channel that brought the relation (the state profiles recorded);
a deletion by on-the-job transfer is not a loss and is not counted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from redis.asyncio.client import Pipeline

from bot.daily import count_in
from bot.deps import Deps
from bot.dispatch import Router, either
from bot.events import (
    ExternalContactAdded,
    ExternalContactDeleted,
    ExternalContactHalfAdded,
    FollowUserDeleted,
)
from bot.events.base import unix
from handlers.customers.components import CUSTOMERS
from handlers.intake.filters import not_a_transfer
from handlers.intake.live import day_of, local_time, rules_of

router = Router(name="day-counts")


@router.on(either(ExternalContactAdded, ExternalContactHalfAdded))
async def count_add(event: ExternalContactAdded | ExternalContactHalfAdded, deps: Deps) -> None:
    """A customer added a staff member (through a channel or not)."""
    rules = await rules_of(deps)
    found = rules.channel_for(event.state)
    created = unix(event.create_time)
    await _count(
        deps,
        f"day:add:{event.user_id}:{event.external_user_id}:{created}",
        created,
        "adds",
        [f"staff:{event.user_id}", *([f"channel:{found[0]}"] if found else [])],
    )


@router.on(FollowUserDeleted)
async def count_loss_by_customer(event: FollowUserDeleted, deps: Deps) -> None:
    """The customer deleted the staff member."""
    await _deleted(event, deps, "customer")


@router.on(ExternalContactDeleted, not_a_transfer)
async def count_loss_by_staff(event: ExternalContactDeleted, deps: Deps) -> None:
    """The staff member deleted the customer."""
    await _deleted(event, deps, "staff")


async def _deleted(event: FollowUserDeleted | ExternalContactDeleted, deps: Deps, by: str) -> None:
    relation = await deps.get(CUSTOMERS).relation(event.external_user_id, event.user_id)
    rules = await rules_of(deps)
    found = rules.channel_for(relation.state if relation is not None else None)
    labels = [f"by_{by}", f"staff:{event.user_id}", *([f"channel:{found[0]}"] if found else [])]
    at = unix(event.create_time)
    await _count(deps, f"day:del:{event.dedup_key}", at, "deletions", labels)


async def _count(deps: Deps, effect_key: str, at: int, section: str, labels: list[str]) -> None:
    day = day_of(local_time(deps, datetime.fromtimestamp(at, tz=UTC)))
    counts = [(section, "total"), *((section, label) for label in labels)]

    def count(pipe: Pipeline) -> None:
        count_in(pipe, deps.corp_id, day, counts)

    await deps.ledger.apply_once(effect_key, count)
