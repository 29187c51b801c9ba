"""Live codes over WeCom and Redis: create a channel's code, keep its user list on plan.

This is the I/O edge of intake (the rest of the package is pure). ``rebalance`` is what
applies the allocation rules, because WeCom decides which listed member a scanning
customer adds and siyu can only change the list (see allocation.py): it runs after every
add through a channel (a cap may have been reached) and must also run periodically
(``rebalance_all``, every minute from the scheduler) so shift changes take effect.
One process changes a code at a time; a rebalance asked for meanwhile leaves a mark that
makes the holder look again before it lets go, so no request is lost.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Final

from bot.deps import Deps
from bot.store import keys
from bot.store.locks import Lock
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.intake.allocation import Plan, plan
from handlers.intake.channel_store import (
    ChannelCode,
    ChannelStats,
    ChannelView,
    channel_view,
)
from handlers.intake.components import CHANNEL_CODES, CHANNEL_STATS
from handlers.intake.live import day_of, local_time, rules_of
from handlers.intake.rules import Channel, IntakeRules

logger = logging.getLogger(__name__)

MAX_ROUNDS: Final = 5  # looks at one channel per rebalance before leaving the rest to the next
MULTI_PERSON: Final = 2  # contact way type 2: several users (doc 92228)
QR_CODE: Final = 2  # scene 2: a QR code


def stats_of(deps: Deps) -> ChannelStats:
    """The channel statistics of this corp."""
    return deps.get(CHANNEL_STATS)


async def _plan_now(
    deps: Deps, rules: IntakeRules, channel_id: str, channel: Channel, listed: tuple[str, ...]
) -> Plan:
    local = local_time(deps)
    stats = stats_of(deps)
    return plan(
        rules,
        channel,
        adds_today=await stats.adds_by_staff(channel_id, day_of(local)),
        credits=await stats.credits(channel_id),
        listed=listed,
        local_now=local,
    )


async def _look(
    deps: Deps, rules: IntakeRules, channel_id: str, known: ChannelView | None = None
) -> tuple[ChannelView, Plan | None]:
    """The channel as Redis has it (or as ``known``) and the list the rules want now (None:
    no code, or the channel left the rules)."""
    local = local_time(deps)
    view = known or await channel_view(deps.redis, deps.corp_id, channel_id, day_of(local))
    channel = rules.channels.get(channel_id)
    if view.code is None or channel is None:  # no code, or the channel left the rules
        return view, None
    wanted = plan(
        rules,
        channel,
        adds_today=view.adds_by_staff,
        credits=view.credits,
        listed=view.code.users,
        local_now=local,
    )
    return view, wanted


async def create_code(deps: Deps, channel_id: str) -> ChannelCode:
    """The channel's live code: made with add_contact_way (or adopted) and remembered."""
    codes = deps.get(CHANNEL_CODES)
    existing = await codes.get(channel_id)
    if existing is not None:
        return existing
    rules = await rules_of(deps)
    channel = rules.channels[channel_id]
    everyone = tuple(member.userid for member in channel.staff)
    users = (await _plan_now(deps, rules, channel_id, channel, everyone)).users
    contacts = deps.api(deps.settings.intake.app).contacts
    if channel.config_id:
        way = (await contacts.get_contact_way(channel.config_id))["contact_way"]
        config_id, qr_code = channel.config_id, str(way.get("qr_code", ""))
        await contacts.update_contact_way(config_id, {"user": list(users), "state": channel.state})
    else:
        answer = await contacts.add_contact_way(
            {
                "type": MULTI_PERSON,
                "scene": QR_CODE,
                "remark": channel.name[:30],
                "state": channel.state,
                "skip_verify": True,
                "user": list(users),
            }
        )
        config_id, qr_code = str(answer["config_id"]), str(answer.get("qr_code", ""))
    code = ChannelCode(
        channel_id, config_id, qr_code, users, channel.state, int(deps.clock.now().timestamp())
    )
    await codes.put(code)
    logger.info("channel %s: live code %s lists %s", channel_id, config_id, ",".join(users))
    return code


async def create_codes(deps: Deps) -> list[ChannelCode]:
    """A live code for every channel of the rules that has none yet."""
    rules = await rules_of(deps)
    return [await create_code(deps, channel_id) for channel_id in rules.channels]


async def rebalance(
    deps: Deps, channel_id: str, rules: IntakeRules | None = None, known: ChannelView | None = None
) -> Plan | None:
    """Bring the channel's code to the list the rules want now; the plan, or None if another
    process is at it (it will look again) or the channel has no code.

    The common case, nothing to change and nobody changing it, costs one round trip, or
    none when the caller ``known`` the channel's current view (it just counted an add).
    """
    rules = rules or await rules_of(deps)
    view, wanted = await _look(deps, rules, channel_id, known)
    if wanted is None or view.code is None:
        return None
    if not view.rebalancing and not _changes(view.code, wanted, rules.channels[channel_id]):
        return wanted
    lock = Lock(deps.redis, keys.channel_rebalance_lock(deps.corp_id, channel_id))
    dirty = keys.channel_rebalance_dirty(deps.corp_id, channel_id)
    if not await lock.take_or_mark(dirty):
        return None
    released = False
    try:
        for _ in range(MAX_ROUNDS):
            wanted = await _apply(deps, channel_id)
            released = await lock.release_if_clean(dirty)
            if wanted is None or released:
                break
        return wanted
    finally:
        if not released:
            await lock.release()


def _changes(code: ChannelCode, wanted: Plan, channel: Channel) -> dict[str, object]:
    """What update_contact_way must change on ``code``."""
    changes: dict[str, object] = {}
    if wanted.users != code.users:
        changes["user"] = list(wanted.users)
    if channel.state != code.state:
        changes["state"] = channel.state
    return changes


async def _apply(deps: Deps, channel_id: str) -> Plan | None:
    """One look under the lock: plan, and update the code if it differs."""
    rules = await rules_of(deps)
    view, wanted = await _look(deps, rules, channel_id)
    if wanted is None or view.code is None:
        return None
    channel = rules.channels[channel_id]
    changes = _changes(view.code, wanted, channel)
    if changes:
        contacts = deps.api(deps.settings.intake.app).contacts
        await contacts.update_contact_way(view.code.config_id, changes)
        await deps.get(CHANNEL_CODES).put(
            replace(view.code, users=wanted.users, state=channel.state)
        )
        logger.info(
            "channel %s: code %s now lists %s (%s)",
            channel_id,
            view.code.config_id,
            ",".join(wanted.users),
            wanted.reason,
        )
    return wanted


async def rebalance_all(deps: Deps) -> dict[str, Plan | None]:
    """Rebalance every channel with a code: for shift changes (call it every minute).

    A channel WeCom refuses to update is logged and left for the next call; the others go on.
    """
    plans: dict[str, Plan | None] = {}
    for channel_id in await deps.get(CHANNEL_CODES).all():
        try:
            plans[channel_id] = await rebalance(deps, channel_id)
        except (WeComAPIError, WeComUnavailable) as exc:
            logger.warning("channel %s: code not rebalanced: %s", channel_id, exc)
            plans[channel_id] = None
    return plans
