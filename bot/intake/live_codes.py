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
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.intake.allocation import Plan, plan
from bot.intake.rules import Channel, IntakeRules
from bot.store import keys
from bot.store.channels import ChannelCode, ChannelCodes, ChannelStats
from bot.store.intake_rules import IntakeRulesStore
from bot.store.locks import Lock

logger = logging.getLogger(__name__)

MAX_ROUNDS: Final = 5  # looks at one channel per rebalance before leaving the rest to the next
MULTI_PERSON: Final = 2  # contact way type 2: several users (doc 92228)
QR_CODE: Final = 2  # scene 2: a QR code


def local_time(deps: Deps, moment: datetime | None = None) -> datetime:
    """``moment`` (default: now, from the injected clock) in the corp's time zone."""
    return (moment or deps.clock.now()).astimezone(ZoneInfo(deps.settings.timezone))


def day_of(local: datetime) -> str:
    """The statistics day of a local time: YYYYMMDD."""
    return local.strftime("%Y%m%d")


def stats_of(deps: Deps) -> ChannelStats:
    """The channel statistics of this corp."""
    return ChannelStats(deps.redis, deps.corp_id, deps.settings.intake.stats_ttl_days)


async def rules_of(deps: Deps) -> IntakeRules:
    """The live intake rules."""
    return await IntakeRulesStore(deps.redis, deps.corp_id, deps.settings.intake.rules_file).get()


async def _plan_now(deps: Deps, rules: IntakeRules, channel_id: str, channel: Channel,
                    listed: tuple[str, ...]) -> Plan:  # fmt: skip
    local = local_time(deps)
    stats = stats_of(deps)
    return plan(
        rules, channel,
        adds_today=await stats.adds_by_staff(channel_id, day_of(local)),
        credits=await stats.credits(channel_id),
        listed=listed, local_now=local,
    )  # fmt: skip


async def create_code(deps: Deps, channel_id: str) -> ChannelCode:
    """The channel's live code: made with add_contact_way (or adopted) and remembered."""
    codes = ChannelCodes(deps.redis, deps.corp_id)
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
        answer = await contacts.add_contact_way({
            "type": MULTI_PERSON, "scene": QR_CODE, "remark": channel.name[:30],
            "state": channel.state, "skip_verify": True, "user": list(users),
        })  # fmt: skip
        config_id, qr_code = str(answer["config_id"]), str(answer.get("qr_code", ""))
    code = ChannelCode(channel_id, config_id, qr_code, users, channel.state,
                       int(deps.clock.now().timestamp()))  # fmt: skip
    await codes.put(code)
    logger.info("channel %s: live code %s lists %s", channel_id, config_id, ",".join(users))
    return code


async def create_codes(deps: Deps) -> list[ChannelCode]:
    """A live code for every channel of the rules that has none yet."""
    rules = await rules_of(deps)
    return [await create_code(deps, channel_id) for channel_id in rules.channels]


async def rebalance(deps: Deps, channel_id: str) -> Plan | None:
    """Bring the channel's code to the list the rules want now; the plan, or None if another
    process is at it (it will look again) or the channel has no code."""
    codes = ChannelCodes(deps.redis, deps.corp_id)
    if await codes.get(channel_id) is None:
        return None
    lock = Lock(deps.redis, keys.channel_rebalance_lock(deps.corp_id, channel_id))
    dirty = keys.channel_rebalance_dirty(deps.corp_id, channel_id)
    if not await lock.take_or_mark(dirty):
        return None
    try:
        wanted: Plan | None = None
        for _ in range(MAX_ROUNDS):
            wanted = await _apply(deps, codes, channel_id)
            if wanted is None or await lock.release_if_clean(dirty):
                break
        return wanted
    finally:
        await lock.release()


async def _apply(deps: Deps, codes: ChannelCodes, channel_id: str) -> Plan | None:
    """One look: plan, and update the code if its list differs."""
    code = await codes.get(channel_id)
    rules = await rules_of(deps)
    channel = rules.channels.get(channel_id)
    if code is None or channel is None:  # the channel left the rules: leave its code alone
        return None
    wanted = await _plan_now(deps, rules, channel_id, channel, code.users)
    changes: dict[str, object] = {}
    if wanted.users != code.users:
        changes["user"] = list(wanted.users)
    if channel.state != code.state:
        changes["state"] = channel.state
    if changes:
        contacts = deps.api(deps.settings.intake.app).contacts
        await contacts.update_contact_way(code.config_id, changes)
        await codes.put(replace(code, users=wanted.users, state=channel.state))
        logger.info("channel %s: code %s now lists %s (%s)", channel_id, code.config_id,
                    ",".join(wanted.users), wanted.reason)  # fmt: skip
    return wanted


async def rebalance_all(deps: Deps) -> dict[str, Plan | None]:
    """Rebalance every channel with a code: for shift changes (call it every minute)."""
    codes = await ChannelCodes(deps.redis, deps.corp_id).all()
    return {channel_id: await rebalance(deps, channel_id) for channel_id in codes}
